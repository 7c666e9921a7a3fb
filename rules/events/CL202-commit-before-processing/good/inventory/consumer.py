import json

from aiokafka import AIOKafkaConsumer
from confluent_kafka import Consumer


def reserve_stock(event):
    ...


def run():
    consumer = Consumer({"bootstrap.servers": "kafka:9092", "group.id": "inventory", "enable.auto.commit": False})
    consumer.subscribe(["order.order.created"])
    while True:
        msg = consumer.poll(1.0)
        if msg is None:
            continue
        if msg.error():
            consumer.commit(message=msg)
            continue
        event = json.loads(msg.value())
        reserve_stock(event)
        consumer.commit(message=msg, asynchronous=False)


async def run_batches():
    consumer = AIOKafkaConsumer("order.order.created", group_id="inventory", enable_auto_commit=False)
    while True:
        batches = await consumer.getmany(timeout_ms=1000)
        for tp, messages in batches.items():
            for msg in messages:
                reserve_stock(json.loads(msg.value))
        await consumer.commit()
