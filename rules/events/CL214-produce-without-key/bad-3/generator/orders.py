"""A load generator sending random orders: each order has an id, so its events are keyed by it."""
import json
import random
import uuid

from kafka import KafkaProducer

from .models import Order

producer = KafkaProducer(bootstrap_servers=["kafka:9092"])
SAMPLES = [{"order_id": "o-1", "amount": 10}, {"order_id": "o-2", "amount": 25}]


def random_order():
    return {"order_id": str(uuid.uuid4()), "amount": random.randint(1, 100)}


def generate():
    order = random_order()
    producer.send("shop.order.created", json.dumps(order).encode())  # expect: CL214
    producer.send("shop.order.paid", Order(order_id=order["order_id"], amount=random.random()))  # expect: CL214
    producer.send("shop.order.shipped", json.dumps(random.choice(SAMPLES)).encode())  # expect: CL214
