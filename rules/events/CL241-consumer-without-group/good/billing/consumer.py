from aiokafka import AIOKafkaConsumer
from kafka import KafkaConsumer


def handle(message) -> None:
    print(message.value)


def run() -> None:
    consumer = KafkaConsumer("billing.invoice.issued", bootstrap_servers="kafka:9092", group_id="billing")
    for message in consumer:
        handle(message)


async def listen() -> None:
    consumer = AIOKafkaConsumer("billing.invoice.issued", bootstrap_servers="kafka:9092", group_id="billing")
    await consumer.start()
    async for message in consumer:
        handle(message)


def lag() -> None:
    probe = KafkaConsumer(bootstrap_servers="kafka:9092")
    print(probe.end_offsets([]))
