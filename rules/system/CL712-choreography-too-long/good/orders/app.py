"""Orders: an order placed starts the flow."""
import json
import uuid

from confluent_kafka import Producer
from fastapi import FastAPI

app = FastAPI()
producer = Producer({"bootstrap.servers": "kafka:9092", "enable.idempotence": True})


@app.post("/v1/orders")
def create_order(order: dict) -> dict:
    order_id = str(uuid.uuid4())
    producer.produce("orders.order.created", key=order_id, value=json.dumps({"data": {"order_id": order_id}}).encode())
    return {"order_id": order_id}
