import json

import pika

EXCHANGE = "shop"
connection = pika.BlockingConnection(pika.ConnectionParameters(host="rabbitmq"))
channel = connection.channel()
channel.exchange_declare(exchange=EXCHANGE, exchange_type="topic", durable=True)


def publish(routing_key, message):
    channel.basic_publish(exchange=EXCHANGE, routing_key=routing_key, body=json.dumps(message))


def order_created(order):
    publish("Orders_Created", {"event_id": order["event_id"], "order_id": order["id"]})  # expect: CL215


def listen():
    channel.queue_declare(queue="billing-orders", durable=True)
    channel.queue_bind(exchange=EXCHANGE, queue="billing-orders", routing_key="order_created")  # expect: CL215
