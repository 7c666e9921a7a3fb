"""inventory: handles orders.order.created and publishes inventory.stock.reserved."""
import json

from confluent_kafka import Consumer, Producer

producer = Producer({"bootstrap.servers": "kafka:9092", "enable.idempotence": True})


def handle(event: dict) -> None:
    print("inventory handles", event["event_id"])
    producer.produce("inventory.stock.reserved", key=event["data"]["order_id"], value=json.dumps(event).encode())


def run() -> None:
    consumer = Consumer({"bootstrap.servers": "kafka:9092", "group.id": "inventory", "enable.auto.commit": False})
    consumer.subscribe(["orders.order.created"])
    while True:
        msg = consumer.poll(1.0)  # expect: CL712
        if msg is None or msg.error():
            continue
        handle(json.loads(msg.value()))
        consumer.commit(msg)
