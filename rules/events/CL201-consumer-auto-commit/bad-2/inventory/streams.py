"""A NATS JetStream consumer with AckPolicy.NONE, and a FastStream Kafka subscriber left at its default."""

import json

import nats
from faststream.kafka import KafkaBroker
from nats.js.api import AckPolicy, ConsumerConfig

broker = KafkaBroker("kafka:9092")


def reserve_stock(event):
    ...


async def handle(msg):
    reserve_stock(json.loads(msg.data))


async def run():
    nc = await nats.connect("nats://nats:4222")
    js = nc.jetstream()
    await js.subscribe("orders.order.created", durable="inventory", cb=handle,
                       config=ConsumerConfig(ack_policy=AckPolicy.NONE, max_deliver=5))  # expect: CL201


@broker.subscriber("order.order.created", group_id="inventory")  # expect: CL201
async def reserve(event: dict) -> None:
    reserve_stock(event)
