"""Handlers that never check for duplicates: a FastStream subscriber, a pika callback, an SQS worker."""

import json

import boto3
import pika
from faststream.rabbit import RabbitBroker

broker = RabbitBroker("amqp://guest:guest@rabbitmq/")
sqs = boto3.client("sqs")
QUEUE_URL = "https://sqs.eu-west-1.amazonaws.com/123456789012/inventory-reservations"


def reserve_stock(items):
    ...


@broker.subscriber("inventory.reservations")  # expect: CL203
async def reserve(event: dict) -> None:
    reserve_stock(event["data"]["items"])


def callback(ch, method, properties, body):
    reserve_stock(json.loads(body)["data"]["items"])
    ch.basic_ack(delivery_tag=method.delivery_tag)


channel = pika.BlockingConnection(pika.ConnectionParameters("rabbitmq")).channel()
channel.basic_consume(queue="inventory.reservations", on_message_callback=callback)  # expect: CL203


def consume_sqs():
    while True:
        response = sqs.receive_message(QueueUrl=QUEUE_URL, WaitTimeSeconds=20)  # expect: CL203
        for message in response.get("Messages", []):
            reserve_stock(json.loads(message["Body"])["data"]["items"])
            sqs.delete_message(QueueUrl=QUEUE_URL, ReceiptHandle=message["ReceiptHandle"])
