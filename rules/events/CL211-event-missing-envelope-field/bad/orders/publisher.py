import json
from dataclasses import dataclass
from datetime import datetime, timezone

from confluent_kafka import Producer

producer = Producer({"bootstrap.servers": "kafka:9092"})


def order_created(order):
    event = {  # expect: CL211
        "event_type": "order.created",
        "event_version": "1.0",
        "timestamp": datetime.now(timezone.utc).isoformat(),
        "source": "order-service",
        "data": {"order_id": order.id},
    }
    producer.produce("order.order.created", key=order.id, value=json.dumps(event).encode())


@dataclass
class OrderCancelled:
    order_id: str
    reason: str


def order_cancelled(order, reason):
    producer.produce("order.order.cancelled", key=order.id, value=json.dumps(OrderCancelled(order.id, reason).__dict__))
    producer.produce("order.order.cancelled", key=order.id, value=OrderCancelled(order.id, reason).to_json())  # expect: CL211
