import json

import pika
from confluent_kafka import Producer

connection = pika.BlockingConnection(pika.ConnectionParameters(host="rabbitmq"))
channel = connection.channel()
producer = Producer({"bootstrap.servers": "kafka:9092"})
DLQ_TOPIC = "cart.cart.checked_out.dlq"


def dead_letter(message, error):
    # a failed message and its error: a dead letter, not an event
    record = {"original": message.value().decode(), "error": str(error), "offset": message.offset()}
    producer.produce(DLQ_TOPIC, key=message.key(), value=json.dumps(record).encode())


def charge(order):
    # a command to a queue named for it (CL212 reports the name): a job, not an event missing fields
    channel.basic_publish(exchange="payments", routing_key="process_payment", body=json.dumps({"order": order["id"]}))


def send_receipt(email):
    # the default exchange: a work queue's job
    channel.basic_publish(exchange="", routing_key="email_jobs", body=json.dumps({"to": email}))
