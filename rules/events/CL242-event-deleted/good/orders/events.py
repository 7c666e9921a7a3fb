import json

from confluent_kafka import Producer

producer = Producer({"bootstrap.servers": "kafka:9092"})


def cancel(order_id: str, event: dict) -> None:
    producer.produce("orders.order.cancelled", key=order_id, value=json.dumps(event))
    producer.flush()


def forget_stock(product_id: str) -> None:
    producer.produce("inventory.stock.current", key=product_id, value=None)  # a compacted state topic
    producer.flush()
