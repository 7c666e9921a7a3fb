"""Dead-letter paths RabbitMQ and NATS keep in configuration: a queue declared with x-dead-letter-exchange,
a rejection without requeue (the broker's policy dead-letters it), max_deliver; an SQS queue's redrive
policy is in its infrastructure (CL610), and a queue declared elsewhere is not judged here."""

import json

import boto3
import nats
import pika
from faststream.rabbit import RabbitBroker, RabbitQueue
from nats.js.api import ConsumerConfig

broker = RabbitBroker("amqp://guest:guest@rabbitmq/")
sqs = boto3.client("sqs")


def reserve_stock(event):
    ...


def callback(ch, method, properties, body):
    try:
        reserve_stock(json.loads(body))
    except Exception:
        ch.basic_nack(delivery_tag=method.delivery_tag, requeue=False)
        return
    ch.basic_ack(delivery_tag=method.delivery_tag)


channel = pika.BlockingConnection(pika.ConnectionParameters("rabbitmq")).channel()
channel.queue_declare(queue="inventory.reservations", durable=True, arguments={
    "x-queue-type": "quorum",
    "x-delivery-limit": 5,
    "x-dead-letter-exchange": "inventory.dlx",
})
channel.basic_consume(queue="inventory.reservations", on_message_callback=callback)
channel.queue_declare(queue="inventory.audit", durable=True)
channel.basic_consume(queue="inventory.audit", on_message_callback=callback)
channel.basic_consume(queue="inventory.releases", on_message_callback=callback)


@broker.subscriber(RabbitQueue("inventory.reservations", durable=True,
                               arguments={"x-dead-letter-exchange": "inventory.dlx"}))
async def reserve(event: dict) -> None:
    reserve_stock(event)


async def handle(msg):
    reserve_stock(json.loads(msg.data))
    await msg.ack()


async def consume_nats():
    js = (await nats.connect("nats://nats:4222")).jetstream()
    await js.subscribe("orders.order.created", durable="inventory", cb=handle, manual_ack=True,
                       config=ConsumerConfig(ack_wait=30, max_deliver=5))


def consume_sqs(url):
    while True:
        for message in sqs.receive_message(QueueUrl=url).get("Messages", []):
            reserve_stock(json.loads(message["Body"]))
            sqs.delete_message(QueueUrl=url, ReceiptHandle=message["ReceiptHandle"])
