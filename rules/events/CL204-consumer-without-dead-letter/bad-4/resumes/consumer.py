"""Handlers the loop reaches through forms real services use (wsdm777/fastapi-microservices,
AlexandrePadilhaa/Ecommerce_SD): topics passed as ``*TOPICS``, ``model, handler = HANDLERS[topic]``
with a pydantic model of another module decoding the message, and a message handed to a
module-level queue other code reads. None has a dead-letter path."""

import asyncio
import json

from aiokafka import AIOKafkaConsumer

from resumes.schemas import UserDeleted

TOPICS = ["users.user.deleted"]
notifications: asyncio.Queue = asyncio.Queue()


async def handle_user_deleted(event):
    await notifications.put(f"user {event.user_id} deleted")


HANDLERS = {"users.user.deleted": (UserDeleted, handle_user_deleted)}


async def consume():
    consumer = AIOKafkaConsumer(*TOPICS, group_id="resumes", enable_auto_commit=False)
    await consumer.start()
    async for msg in consumer:  # expect: CL204
        model_cls, handler = HANDLERS[msg.topic]
        try:
            await handler(model_cls(**json.loads(msg.value)))
        except Exception:
            pass
        await consumer.commit()


async def notify_loop():
    consumer = AIOKafkaConsumer("users.user.updated", group_id="notify", enable_auto_commit=False)
    await consumer.start()
    async for msg in consumer:  # expect: CL204
        notifications.put_nowait(json.loads(msg.value)["user_id"])
        await consumer.commit()
