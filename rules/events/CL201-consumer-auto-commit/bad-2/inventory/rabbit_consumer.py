"""The RabbitMQ tutorials' "hello world" consumer (pika) and aio-pika's consume with no_ack."""

import json

import aio_pika
import pika


def reserve_stock(event):
    ...


def callback(ch, method, properties, body):
    reserve_stock(json.loads(body))


connection = pika.BlockingConnection(pika.ConnectionParameters(host="rabbitmq"))
channel = connection.channel()
channel.basic_consume(queue="inventory.reservations", on_message_callback=callback, auto_ack=True)  # expect: CL201
channel.start_consuming()


async def on_message(message: aio_pika.abc.AbstractIncomingMessage) -> None:
    reserve_stock(json.loads(message.body))


async def main() -> None:
    connection = await aio_pika.connect_robust("amqp://guest:guest@rabbitmq/")
    channel = await connection.channel()
    queue = await channel.declare_queue("inventory.reservations", durable=True)
    await queue.consume(on_message, no_ack=True)  # expect: CL201
