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
        if msg is None or msg.error():
            continue
        consumer.commit(message=msg, asynchronous=False)  # expect: CL202
        event = json.loads(msg.value())
        reserve_stock(event)


async def run_async():
    consumer = AIOKafkaConsumer("order.order.created", group_id="inventory", enable_auto_commit=False)
    async for msg in consumer:
        await consumer.commit()  # expect: CL202
        reserve_stock(json.loads(msg.value))
