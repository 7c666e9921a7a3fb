"""Processed first, acknowledged after: boto3's SQS receive/process/delete loop, the resource API,
pika with a nack on failure, and a JetStream pull consumer that naks a failed message."""

import json

import boto3
import nats
import pika

QUEUE_URL = "https://sqs.eu-west-1.amazonaws.com/123456789012/inventory-reservations"
sqs = boto3.client("sqs")


def reserve_stock(event):
    ...


def consume_sqs():
    while True:
        response = sqs.receive_message(QueueUrl=QUEUE_URL, MaxNumberOfMessages=10, WaitTimeSeconds=20)
        for message in response.get("Messages", []):
            reserve_stock(json.loads(message["Body"]))
            sqs.delete_message(QueueUrl=QUEUE_URL, ReceiptHandle=message["ReceiptHandle"])


def consume_resource():
    queue = boto3.resource("sqs").get_queue_by_name(QueueName="inventory-reservations")
    for message in queue.receive_messages(WaitTimeSeconds=20):
        reserve_stock(json.loads(message.body))
        message.delete()


def callback(ch, method, properties, body):
    try:
        reserve_stock(json.loads(body))
    except ValueError:
        ch.basic_nack(delivery_tag=method.delivery_tag, requeue=False)
        return
    ch.basic_ack(delivery_tag=method.delivery_tag)


def consume_rabbit():
    channel = pika.BlockingConnection(pika.ConnectionParameters("rabbitmq")).channel()
    channel.basic_consume(queue="inventory.reservations", on_message_callback=callback)


async def consume_nats():
    nc = await nats.connect("nats://nats:4222")
    js = nc.jetstream()
    psub = await js.pull_subscribe("orders.order.created", "inventory")
    while True:
        for msg in await psub.fetch(10):
            try:
                reserve_stock(json.loads(msg.data))
            except ValueError:
                await msg.nak()
                continue
            await msg.ack()
