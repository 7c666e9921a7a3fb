"""Queues declared here without a dead-letter setting: pika, aio-pika, FastStream RabbitMQ, a JetStream
consumer config without max_deliver."""

import json

import aio_pika
import nats
import pika
from faststream.rabbit import RabbitBroker, RabbitQueue
from nats.js.api import ConsumerConfig

broker = RabbitBroker("amqp://guest:guest@rabbitmq/")


def reserve_stock(event):
    ...


def callback(ch, method, properties, body):
    try:
        reserve_stock(json.loads(body))
    finally:
        ch.basic_ack(delivery_tag=method.delivery_tag)


channel = pika.BlockingConnection(pika.ConnectionParameters("rabbitmq")).channel()
channel.queue_declare(queue="inventory.reservations", durable=True)
channel.basic_consume(queue="inventory.reservations", on_message_callback=callback)  # expect: CL204


async def consume_aio():
    connection = await aio_pika.connect_robust("amqp://guest:guest@rabbitmq/")
    channel = await connection.channel()
    queue = await channel.declare_queue("inventory.reservations", durable=True)
    async with queue.iterator() as queue_iter:
        async for message in queue_iter:  # expect: CL204
            async with message.process(requeue=True):
                reserve_stock(json.loads(message.body))


@broker.subscriber(RabbitQueue("inventory.reservations", durable=True))  # expect: CL204
async def reserve(event: dict) -> None:
    reserve_stock(event)


async def handle(msg):
    reserve_stock(json.loads(msg.data))
    await msg.ack()


async def consume_nats():
    js = (await nats.connect("nats://nats:4222")).jetstream()
    await js.subscribe("orders.order.created", durable="inventory", cb=handle, manual_ack=True,  # expect: CL204
                       config=ConsumerConfig(ack_wait=30))
