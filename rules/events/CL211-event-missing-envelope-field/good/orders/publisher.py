import json
from dataclasses import dataclass

from confluent_kafka import Producer

producer = Producer({"bootstrap.servers": "kafka:9092"})


def order_created():
    event = {
        "event_id": "evt-abc-123",
        "event_type": "order.created",
        "event_version": "1.0",
        "timestamp": "2026-01-15T10:30:00Z",
        "source": "order-service",
        "correlation_id": "req-xyz-789",
        "data": {
            "order_id": "ord-456",
            "customer_id": "cust-789",
            "items": [
                {"product_id": "prod-001", "quantity": 2, "unit_price": 29.99}
            ],
            "total": 59.98,
            "currency": "USD",
        },
    }
    producer.produce("order.order.created", key="ord-456", value=json.dumps(event))


@dataclass
class Envelope:
    event_id: str
    event_type: str
    event_version: str
    timestamp: str
    source: str
    correlation_id: str


@dataclass
class OrderCancelled(Envelope):
    order_id: str = ""


def order_cancelled(order, meta):
    producer.produce("order.order.cancelled", key=order.id, value=OrderCancelled(order_id=order.id, **meta).to_json())
    producer.produce(
        "order.order.cancelled",
        key=order.id,
        value=json.dumps({"data": {"order_id": order.id}}),
        headers=[("event_id", meta["event_id"]), ("event_type", b"order.cancelled"), ("event_version", b"1.0"),
                 ("timestamp", meta["timestamp"]), ("source", b"order-service"), ("correlation_id", meta["cid"])],
    )
