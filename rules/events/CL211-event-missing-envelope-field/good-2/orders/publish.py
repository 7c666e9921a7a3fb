"""The envelope in the body, or its metadata in AMQP properties (message_id, type, timestamp, app_id,
correlation_id); a work-queue task that is not an event is not judged."""

import json
import time
import uuid

import pika

channel = pika.BlockingConnection(pika.ConnectionParameters("rabbitmq")).channel()


def order_created(order, correlation_id):
    event = {"event_version": "1.0", "data": {"order_id": order.id}}
    channel.basic_publish(
        exchange="orders",
        routing_key="order.created",
        body=json.dumps(event),
        properties=pika.BasicProperties(
            message_id=str(uuid.uuid4()), type="order.created", timestamp=int(time.time()),
            app_id="order-service", correlation_id=correlation_id,
        ),
    )


def resize_image(path):
    channel.basic_publish(exchange="", routing_key="image-resize", body=json.dumps({"path": path}))
