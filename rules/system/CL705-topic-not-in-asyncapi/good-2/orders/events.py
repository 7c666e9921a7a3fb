from confluent_kafka import Producer

producer = Producer({"bootstrap.servers": "kafka:9092"})


def publish(order_id: str, payload: bytes) -> None:
    producer.produce("order.order.created", key=order_id, value=payload)
    producer.produce("order.eu.cancelled", key=order_id, value=payload)
