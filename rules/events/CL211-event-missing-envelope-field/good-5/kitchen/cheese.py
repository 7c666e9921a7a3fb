"""The consumed pizza wrapped in a new event of its own (each published event carries its own envelope),
and the consumed event sent on to a retry topic as it is."""
import json
import uuid
from datetime import datetime, timezone

from confluent_kafka import Consumer, Producer

producer = Producer({"bootstrap.servers": "kafka:9092"})
consumer = Consumer({"bootstrap.servers": "kafka:9092", "group.id": "cheese", "enable.auto.commit": False})
consumer.subscribe(["kitchen.pizza.sauced"])


def envelope(event_type, data, correlation_id):
    return {"event_id": str(uuid.uuid4()), "event_type": event_type, "event_version": "1.0.0",
            "timestamp": datetime.now(timezone.utc).isoformat(), "source": "cheese-service",
            "correlation_id": correlation_id, "data": data}


def add_cheese(order_id, pizza):
    pizza["cheese"] = "mozzarella"
    event = envelope("kitchen.pizza.cheesed", pizza, order_id)
    producer.produce("kitchen.pizza.cheesed", key=order_id, value=json.dumps(event))


def run():
    while True:
        msg = consumer.poll(1.0)
        if msg is None or msg.error():
            continue
        pizza = json.loads(msg.value())
        try:
            add_cheese(msg.key(), pizza)
        except ValueError:
            producer.produce("kitchen.pizza.sauced.retry", key=msg.key(), value=json.dumps(pizza))  # the same event
        consumer.commit(message=msg)
