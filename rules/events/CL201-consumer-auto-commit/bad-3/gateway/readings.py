"""Two consumers with auto-commit on whose messages are processed: one hands the latest reading back to the
HTTP route that asked for it, the other stores each order."""
from json import loads

from kafka import KafkaConsumer

from .db import orders

readings = KafkaConsumer(bootstrap_servers=["kafka:9092"], enable_auto_commit=True,  # expect: CL201
                         group_id="gateway", value_deserializer=lambda x: loads(x.decode("utf-8")))


def latest_reading(topic):
    readings.subscribe([topic])
    for data in readings:
        print("reading", data.value)
        return data.value


def store_orders():
    consumer = KafkaConsumer("order.order.created", group_id="gateway-orders",  # expect: CL201
                             bootstrap_servers=["kafka:9092"])
    for message in consumer:
        print("order", message.value)
        orders.insert_one(loads(message.value))
