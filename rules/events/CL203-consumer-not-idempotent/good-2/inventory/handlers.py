"""The standard's idempotent consumer, called from a FastStream subscriber, a pika callback and an SQS worker."""

import json

import boto3
import pika
from faststream.rabbit import RabbitBroker

broker = RabbitBroker("amqp://guest:guest@rabbitmq/")
sqs = boto3.client("sqs")
QUEUE_URL = "https://sqs.eu-west-1.amazonaws.com/123456789012/inventory-reservations"


async def handle_order_created(event: dict) -> None:
    if await event_store.is_processed(event["event_id"]):
        return
    await inventory.reserve_stock(event["data"]["items"])
    await event_store.mark_processed(event["event_id"])


@broker.subscriber("inventory.reservations")
async def reserve(event: dict) -> None:
    await handle_order_created(event)


def callback(ch, method, properties, body):
    event = json.loads(body)
    if event_store.is_processed(event["event_id"]):
        ch.basic_ack(delivery_tag=method.delivery_tag)
        return
    inventory.reserve_stock(event["data"]["items"])
    event_store.mark_processed(event["event_id"])
    ch.basic_ack(delivery_tag=method.delivery_tag)


channel = pika.BlockingConnection(pika.ConnectionParameters("rabbitmq")).channel()
channel.basic_consume(queue="inventory.reservations", on_message_callback=callback)


def consume_sqs():
    while True:
        response = sqs.receive_message(QueueUrl=QUEUE_URL, WaitTimeSeconds=20)
        for message in response.get("Messages", []):
            event = json.loads(message["Body"])
            if not event_store.is_processed(event["event_id"]):
                inventory.reserve_stock(event["data"]["items"])
                event_store.mark_processed(event["event_id"])
            sqs.delete_message(QueueUrl=QUEUE_URL, ReceiptHandle=message["ReceiptHandle"])
