import json

from confluent_kafka import Producer

producer = Producer({"bootstrap.servers": "kafka:9092"})


def publish_created(event: dict) -> None:
    producer.produce("orders.order.created", key=event["order_id"], value=json.dumps(event).encode())  # expect: CL709
    producer.flush()
