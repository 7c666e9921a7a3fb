"""A delete that also does more (a refund sent again on every redelivery), and a log topic's
consumer that stores a record per message (each redelivery stores it again)."""
import json

from aiokafka import AIOKafkaConsumer
from kafka import KafkaConsumer
from sqlmodel import Session, select

from .db import engine
from .models import Inventory, LogRecord
from .payments import payments


def cancel_order(order_id: int, session: Session):
    row = session.exec(select(Inventory).where(Inventory.order_id == order_id)).first()
    session.delete(row)
    session.commit()
    payments.refund(order_id)


async def order_cancelled_consumer():
    consumer = AIOKafkaConsumer("sales.order.cancelled", bootstrap_servers="kafka:9092", group_id="inventory")
    await consumer.start()
    async for message in consumer:  # expect: CL203
        event = json.loads(message.value)
        with Session(engine) as session:
            cancel_order(event["data"]["order_id"], session)


def log_store():
    for record in KafkaConsumer("logs", bootstrap_servers="kafka:9092", group_id="log-store"):  # expect: CL203
        entry = json.loads(record.value)
        stored = LogRecord(service=entry["service"], msg=entry["msg"])
        stored.save()
