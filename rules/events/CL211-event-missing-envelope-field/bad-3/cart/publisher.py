import json
import uuid

import pika
from confluent_kafka import Producer

connection = pika.BlockingConnection(pika.ConnectionParameters(host="rabbitmq"))
channel = connection.channel()


class CartEvents:
    def __init__(self) -> None:
        self.producer = Producer({"bootstrap.servers": "kafka:9092"})

    def cart_checked_out(self, cart):
        event = {"eventType": "cart.checked_out", "eventId": str(uuid.uuid4()), "cartId": cart["id"]}  # expect: CL211
        self._publish(cart["id"], event)

    def _publish(self, key, event):
        self.producer.produce("cart.cart.checked_out", key=key, value=json.dumps(event).encode())


def patient_updated(patient_id, kind):
    message = {"patient_id": patient_id, "update_type": kind}  # expect: CL211
    publish_message(exchange="patient", routing_key=f"patient.{kind}", message=message)


def publish_message(exchange, routing_key, message):
    channel.basic_publish(exchange=exchange, routing_key=routing_key, body=json.dumps(message))
