"""notifications: handles shipping.shipment.scheduled."""
import json

from confluent_kafka import Consumer, Producer

producer = Producer({"bootstrap.servers": "kafka:9092", "enable.idempotence": True})


def handle(event: dict) -> None:
    print("notifications handles", event["event_id"])


def run() -> None:
    consumer = Consumer({"bootstrap.servers": "kafka:9092", "group.id": "notifications", "enable.auto.commit": False})
    consumer.subscribe(["shipping.shipment.scheduled"])
    while True:
        msg = consumer.poll(1.0)
        if msg is None or msg.error():
            continue
        handle(json.loads(msg.value()))
        consumer.commit(msg)
