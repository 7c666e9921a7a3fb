"""The RabbitMQ work-queue tutorial's consumer: manual acknowledgement after the work (pika),
aio-pika's message.process(), and FastStream's ack-after-success defaults."""

import json

import aio_pika
import nats
import pika
from faststream.kafka import KafkaBroker
from faststream.rabbit import RabbitBroker

kafka = KafkaBroker("kafka:9092")
rabbit = RabbitBroker("amqp://guest:guest@rabbitmq/")


def reserve_stock(event):
    ...


def callback(ch, method, properties, body):
    reserve_stock(json.loads(body))
    ch.basic_ack(delivery_tag=method.delivery_tag)


connection = pika.BlockingConnection(pika.ConnectionParameters(host="rabbitmq"))
channel = connection.channel()
channel.basic_qos(prefetch_count=1)
channel.basic_consume(queue="inventory.reservations", on_message_callback=callback)


async def main() -> None:
    connection = await aio_pika.connect_robust("amqp://guest:guest@rabbitmq/")
    channel = await connection.channel()
    queue = await channel.declare_queue("inventory.reservations", durable=True)
    async with queue.iterator() as queue_iter:
        async for message in queue_iter:
            async with message.process():
                reserve_stock(json.loads(message.body))


async def handle(msg):
    reserve_stock(json.loads(msg.data))
    await msg.ack()


async def run():
    nc = await nats.connect("nats://nats:4222")
    js = nc.jetstream()
    await js.subscribe("orders.order.created", durable="inventory", cb=handle, manual_ack=True)


@kafka.subscriber("order.order.created", group_id="inventory", auto_commit=False)
async def reserve(event: dict) -> None:
    reserve_stock(event)


@rabbit.subscriber("inventory.reservations")
async def reserve_from_queue(event: dict) -> None:
    reserve_stock(event)
