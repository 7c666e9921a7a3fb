"""Events the order service publishes."""

import datetime
import json
import uuid

from confluent_kafka import Producer

producer = Producer({"bootstrap.servers": "kafka.kafka.svc.cluster.local:9092", "enable.idempotence": True})


def publish_order_created(order, request_id):
    event = {
        "event_id": str(uuid.uuid4()),
        "event_type": "order.created",
        "event_version": "1.0.0",
        "timestamp": datetime.datetime.now(datetime.timezone.utc).isoformat(),
        "source": "order-service",
        "correlation_id": request_id,
        "data": {"order_id": order["id"], "customer_id": order["customer_id"]},
    }
    producer.produce("orders.order.created", key=order["id"], value=json.dumps(event))


def publish_order_returned(order, request_id):
    event = {
        "event_id": str(uuid.uuid4()),
        "event_type": "order.returned",
        "event_version": "1.0.0",
        "timestamp": datetime.datetime.now(datetime.timezone.utc).isoformat(),
        "source": "order-service",
        "correlation_id": request_id,
        "data": {"order_id": order["id"]},
    }
    producer.produce("orders.order.returned", key=order["id"], value=json.dumps(event))  # expect: CL704
