import json

from kafka import KafkaProducer

producer = KafkaProducer(bootstrap_servers="kafka:9092")


def send_event(topic, payload):
    producer.send(topic, key=str(payload["id"]).encode(), value=json.dumps(payload).encode())


def product_added(product):
    send_event("product_create_topic", {"id": product["id"]})  # expect: CL212


def product_changed(product):
    send_event("product_updated_topic", {"id": product["id"]})
