import asyncio

from aiokafka import AIOKafkaProducer

from .kafka_consumers import consume
from .settings import settings


async def start(producer: AIOKafkaProducer):
    asyncio.create_task(consume("product_topic", "broker:9092"))  # expect: CL215
    await producer.send_and_wait(settings.STOCK_TOPIC, b"{}", key=b"sku-1")  # expect: CL215
