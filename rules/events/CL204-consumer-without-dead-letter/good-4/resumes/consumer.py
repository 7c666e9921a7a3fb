"""The same loops with a dead-letter topic, and a loop that only reads: it fills a local batch
and prints it, handing the message to no other code."""

import asyncio
import json

from aiokafka import AIOKafkaConsumer, AIOKafkaProducer

from resumes.schemas import UserDeleted

TOPICS = ["users.user.deleted"]
DLQ = "users.user.deleted.dlq"
notifications: asyncio.Queue = asyncio.Queue()
producer = AIOKafkaProducer(bootstrap_servers="kafka:9092")


async def handle_user_deleted(event):
    await notifications.put(f"user {event.user_id} deleted")


HANDLERS = {"users.user.deleted": (UserDeleted, handle_user_deleted)}


async def consume():
    consumer = AIOKafkaConsumer(*TOPICS, group_id="resumes", enable_auto_commit=False)
    await consumer.start()
    async for msg in consumer:
        model_cls, handler = HANDLERS[msg.topic]
        try:
            await handler(model_cls(**json.loads(msg.value)))
        except Exception:
            await producer.send_and_wait(DLQ, msg.value, key=msg.key)
        await consumer.commit()


async def tail():
    consumer = AIOKafkaConsumer("users.user.updated", group_id="tail", enable_auto_commit=False)
    await consumer.start()
    async for msg in consumer:
        batch = []
        batch.append(json.loads(msg.value))
        print(batch)
        await consumer.commit()
