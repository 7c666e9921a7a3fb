"""Acknowledged first, processed after: pika, an SQS worker (boto3), a JetStream pull consumer."""

import json

import boto3
import nats
import pika

QUEUE_URL = "https://sqs.eu-west-1.amazonaws.com/123456789012/inventory-reservations"
sqs = boto3.client("sqs")


def reserve_stock(event):
    ...


def callback(ch, method, properties, body):
    ch.basic_ack(delivery_tag=method.delivery_tag)  # expect: CL202
    reserve_stock(json.loads(body))


def consume_rabbit():
    channel = pika.BlockingConnection(pika.ConnectionParameters("rabbitmq")).channel()
    channel.basic_consume(queue="inventory.reservations", on_message_callback=callback)
    channel.start_consuming()


def consume_sqs():
    while True:
        response = sqs.receive_message(QueueUrl=QUEUE_URL, MaxNumberOfMessages=10, WaitTimeSeconds=20)
        for message in response.get("Messages", []):
            sqs.delete_message(QueueUrl=QUEUE_URL, ReceiptHandle=message["ReceiptHandle"])  # expect: CL202
            reserve_stock(json.loads(message["Body"]))


async def consume_nats():
    nc = await nats.connect("nats://nats:4222")
    js = nc.jetstream()
    psub = await js.pull_subscribe("orders.order.created", "inventory")
    while True:
        msgs = await psub.fetch(10)
        for msg in msgs:
            await msg.ack()  # expect: CL202
            reserve_stock(json.loads(msg.data))
