"""Shipping: books a courier for each new order, but has to ask orders what was ordered."""
import json

import httpx
from confluent_kafka import Consumer

orders = httpx.Client(base_url="http://orders:8000", timeout=httpx.Timeout(5.0, connect=2.0))


def order_details(order_id: str) -> dict:
    response = orders.get(f"/v1/orders/{order_id}")  # expect: CL711
    response.raise_for_status()
    return response.json()


def book_courier(event: dict) -> None:
    details = order_details(event["data"]["order_id"])
    print("booking courier to", details["address"])


def run() -> None:
    consumer = Consumer({"bootstrap.servers": "kafka:9092", "group.id": "shipping",
                         "enable.auto.commit": False})
    consumer.subscribe(["orders.order.created"])
    while True:
        msg = consumer.poll(1.0)
        if msg is None or msg.error():
            continue
        book_courier(json.loads(msg.value()))
        consumer.commit(msg)
