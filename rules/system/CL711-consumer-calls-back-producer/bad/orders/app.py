"""Orders: publishes orders.order.created with only the order's id."""
import json
import uuid

from confluent_kafka import Producer
from fastapi import FastAPI

app = FastAPI()
producer = Producer({"bootstrap.servers": "kafka:9092", "enable.idempotence": True})


@app.post("/v1/orders")
def create_order(order: dict) -> dict:
    order_id = str(uuid.uuid4())
    event = {"event_id": str(uuid.uuid4()), "event_type": "order.created", "event_version": "1.0.0",
             "data": {"order_id": order_id}}
    producer.produce("orders.order.created", key=order_id, value=json.dumps(event).encode())
    return {"order_id": order_id}


@app.get("/v1/orders/{order_id}")
def get_order(order_id: str) -> dict:
    return {"order_id": order_id}
