"""A consume loop dispatching on the event's type through a table of handlers defined here:
the handlers are followed, and none of them checks for a duplicate."""
import json

from confluent_kafka import Consumer

consumer = Consumer({"bootstrap.servers": "kafka:9092", "group.id": "inventory", "enable.auto.commit": False})


def handle_order_created(event):
    inventory.reserve_stock(event["data"]["items"])


def handle_order_cancelled(event):
    inventory.release_stock(event["data"]["items"])


HANDLERS = {"order.created": handle_order_created}
HANDLERS["order.cancelled"] = handle_order_cancelled


def run():
    consumer.subscribe(["order.order.created", "order.order.cancelled"])
    while True:
        msg = consumer.poll(1.0)  # expect: CL203
        if msg is None:
            continue
        event = json.loads(msg.value())
        handler = HANDLERS.get(event["type"])
        if handler is not None:
            handler(event)
        consumer.commit(message=msg)
