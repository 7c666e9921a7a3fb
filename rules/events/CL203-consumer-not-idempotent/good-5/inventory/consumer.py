"""Handlers whose only effect repeats harmlessly: a delete by id, made through a helper of the
module or a service's delete method picked from a dispatch table, and heartbeats kept in memory."""
import json
import logging

from aiokafka import AIOKafkaConsumer
from kafka import KafkaConsumer
from sqlmodel import Session, select

from .db import engine
from .models import Inventory
from .resumes import ResumeService

logger = logging.getLogger(__name__)
resume_service = ResumeService()
registered = {}


def delete_product(product_id: int, session: Session):
    row = session.exec(select(Inventory).where(Inventory.product_id == product_id)).first()
    if row:
        session.delete(row)
        session.commit()
        logger.info("deleted product %s", product_id)


async def product_deleted_consumer():
    consumer = AIOKafkaConsumer("inventory.product.deleted", bootstrap_servers="kafka:9092", group_id="inventory")
    await consumer.start()
    async for message in consumer:
        event = json.loads(message.value)
        with Session(engine) as session:
            delete_product(event["data"]["product_id"], session)


async def handle_user_deleted(event):
    logger.info("user %s deleted", event["data"]["user_id"])
    await resume_service.delete_user_resumes(event["data"]["user_id"])


HANDLERS = {"identity.user.deleted": handle_user_deleted}


async def user_consumer():
    consumer = AIOKafkaConsumer(*HANDLERS, bootstrap_servers="kafka:9092", group_id="resumes")
    await consumer.start()
    async for msg in consumer:
        await HANDLERS[msg.topic](json.loads(msg.value))


def heartbeats():
    consumer = KafkaConsumer("heartbeats", bootstrap_servers="kafka:9092", group_id="monitor")
    for message in consumer:
        beat = json.loads(message.value)
        registered[beat["service_id"]] = beat["time"]
