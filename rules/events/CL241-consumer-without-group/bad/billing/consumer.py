from aiokafka import AIOKafkaConsumer, TopicPartition
from kafka import KafkaConsumer


def handle(message) -> None:
    print(message.value)


def run() -> None:
    consumer = KafkaConsumer("billing.invoice.issued", bootstrap_servers="kafka:9092")  # expect: CL241
    for message in consumer:
        handle(message)


async def replay() -> None:
    consumer = AIOKafkaConsumer(bootstrap_servers="kafka:9092", group_id="billing")  # expect: CL241
    consumer.assign([TopicPartition("billing.invoice.issued", 0)])
    await consumer.start()
    async for message in consumer:
        handle(message)
