import asyncio

from .kafka_consumers import consume


async def start():
    asyncio.create_task(consume("catalog.product.created", "broker:9092"))
