"""Emails customers when an order is created (aiokafka)."""

import json

from aiokafka import AIOKafkaConsumer

from .mail import send_email


async def email_customer(event):
    await send_email(event["data"]["customer_id"], template="order-created")


async def run():
    consumer = AIOKafkaConsumer(  # expect: CL201
        "orders.order.created",
        bootstrap_servers="kafka.kafka.svc.cluster.local:9092",
        group_id="notifications-email",
    )
    await consumer.start()
    try:
        async for msg in consumer:  # expect: CL203, CL204
            await email_customer(json.loads(msg.value))
    finally:
        await consumer.stop()
