import json
import sqlite3

from confluent_kafka import Consumer

import amqp_setup
from product_pb2 import Products

db = sqlite3.connect("stock.db")


def save_stock(row):
    db.execute("INSERT INTO stock (sku, count) VALUES (?, ?)", (row["sku"], row["count"]))


def restock(ch, method, properties, body):
    save_stock(json.loads(body))


# auto-ack: the broker never sees a failure, whatever the queue's settings
amqp_setup.channel.basic_consume(queue="approve_order", on_message_callback=restock, auto_ack=True)  # expect: CL204


def stock_loop():
    consumer = Consumer({"bootstrap.servers": "kafka:9092", "group.id": "stock", "enable.auto.commit": False})
    consumer.subscribe(["catalog.product.created"])
    msg = consumer.poll(1.0)  # expect: CL204
    while msg is not None:
        product = Products()
        product.ParseFromString(msg.value())  # decoded in place: the handler below gets the message
        save_stock({"sku": product.sku, "count": product.count})
        consumer.commit(msg)
        msg = consumer.poll(1.0)  # the next message of the same loop
