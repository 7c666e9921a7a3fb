"""Events published to RabbitMQ and SNS that carry only part of the envelope."""

import json
import uuid

import boto3
import pika

sns = boto3.client("sns")
channel = pika.BlockingConnection(pika.ConnectionParameters("rabbitmq")).channel()


def order_created(order):
    event = {  # expect: CL211
        "event_id": str(uuid.uuid4()),
        "event_type": "order.created",
        "data": {"order_id": order.id},
    }
    channel.basic_publish(exchange="orders", routing_key="order.created", body=json.dumps(event))


def order_cancelled(order):
    sns.publish(
        TopicArn="arn:aws:sns:eu-west-1:123456789012:order-cancelled",
        Message=json.dumps({"event_type": "order.cancelled", "data": {"order_id": order.id}}),  # expect: CL211
    )
