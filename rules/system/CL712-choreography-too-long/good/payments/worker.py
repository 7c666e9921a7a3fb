"""payments: handles inventory.stock.reserved and publishes payments.payment.completed."""
import json

from confluent_kafka import Consumer, Producer

producer = Producer({"bootstrap.servers": "kafka:9092", "enable.idempotence": True})


def handle(event: dict) -> None:
    print("payments handles", event["event_id"])
    producer.produce("payments.payment.completed", key=event["data"]["order_id"], value=json.dumps(event).encode())


def run() -> None:
    consumer = Consumer({"bootstrap.servers": "kafka:9092", "group.id": "payments", "enable.auto.commit": False})
    consumer.subscribe(["inventory.stock.reserved"])
    while True:
        msg = consumer.poll(1.0)
        if msg is None or msg.error():
            continue
        handle(json.loads(msg.value()))
        consumer.commit(msg)
