"""MessageGroupId as the FIFO queue's partition key, a keyed FastStream publish; standard queues and
RabbitMQ have no key to set."""

import json

import boto3
import pika
from faststream.kafka import KafkaBroker

sqs = boto3.client("sqs")
broker = KafkaBroker("kafka:9092")
channel = pika.BlockingConnection(pika.ConnectionParameters("rabbitmq")).channel()


def order_created(event):
    sqs.send_message(
        QueueUrl="https://sqs.eu-west-1.amazonaws.com/123456789012/orders-order-created.fifo",
        MessageBody=json.dumps(event),
        MessageGroupId=event["data"]["order_id"],
        MessageDeduplicationId=event["event_id"],
    )
    sqs.send_message(QueueUrl="https://sqs.eu-west-1.amazonaws.com/123456789012/emails", MessageBody=json.dumps(event))
    channel.basic_publish(exchange="orders", routing_key="order.created", body=json.dumps(event))


async def order_cancelled(event):
    await broker.publish(event, topic="order.order.cancelled", key=event["data"]["order_id"].encode())
