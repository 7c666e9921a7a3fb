"""Shipping: books a courier from the event alone; it calls the courier's API, not orders."""
import json

import httpx
from confluent_kafka import Consumer

couriers = httpx.Client(base_url="https://api.courier.example", timeout=httpx.Timeout(5.0, connect=2.0))


def book_courier(event: dict) -> None:
    couriers.post("/v2/bookings", json={"address": event["data"]["address"]}).raise_for_status()


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
