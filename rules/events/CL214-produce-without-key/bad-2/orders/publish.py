"""A FIFO SQS queue without MessageGroupId, a FastStream Kafka publish without a key."""

import json

import boto3
from faststream.kafka import KafkaBroker

sqs = boto3.client("sqs")
broker = KafkaBroker("kafka:9092")


def order_created(event):
    sqs.send_message(  # expect: CL214
        QueueUrl="https://sqs.eu-west-1.amazonaws.com/123456789012/orders-order-created.fifo",
        MessageBody=json.dumps(event),
        MessageDeduplicationId=event["event_id"],
    )


async def order_cancelled(event):
    await broker.publish(event, topic="order.order.cancelled")  # expect: CL214
