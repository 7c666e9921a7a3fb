"""The same dispatch table, each handler behind the standard's duplicate check."""
import json

from confluent_kafka import Consumer

consumer = Consumer({"bootstrap.servers": "kafka:9092", "group.id": "inventory", "enable.auto.commit": False})


def handle_order_created(event):
    if event_store.is_processed(event["event_id"]):
        return
    inventory.reserve_stock(event["data"]["items"])
    event_store.mark_processed(event["event_id"])


def handle_order_cancelled(event):
    if event_store.is_processed(event["event_id"]):
        return
    inventory.release_stock(event["data"]["items"])
    event_store.mark_processed(event["event_id"])


HANDLERS = {"order.created": handle_order_created}
HANDLERS["order.cancelled"] = handle_order_cancelled


def run():
    consumer.subscribe(["order.order.created", "order.order.cancelled"])
    while True:
        msg = consumer.poll(1.0)
        if msg is None:
            continue
        event = json.loads(msg.value())
        HANDLERS[event["type"]](event)
        consumer.commit(message=msg)
