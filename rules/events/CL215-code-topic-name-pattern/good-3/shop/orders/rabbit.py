import json

import pika

EXCHANGE = "shop"
connection = pika.BlockingConnection(pika.ConnectionParameters(host="rabbitmq"))
channel = connection.channel()
channel.exchange_declare(exchange=EXCHANGE, exchange_type="topic", durable=True)
channel.exchange_declare(exchange="audit", exchange_type="fanout")


def publish(routing_key, message):
    channel.basic_publish(exchange=EXCHANGE, routing_key=routing_key, body=json.dumps(message))


def order_created(order):
    publish("order.order.created", {"event_id": order["event_id"], "order_id": order["id"]})
    # the default exchange routes by queue name: a work queue, not a topic
    channel.basic_publish(exchange="", routing_key="email_jobs", body=json.dumps({"to": order["email"]}))
    # a fanout exchange ignores the routing key
    channel.basic_publish(exchange="audit", routing_key="Anything", body=b"{}")


def listen():
    channel.queue_declare(queue="billing-orders", durable=True)
    channel.queue_bind(exchange=EXCHANGE, queue="billing-orders", routing_key="order.#")  # a wildcard binding
