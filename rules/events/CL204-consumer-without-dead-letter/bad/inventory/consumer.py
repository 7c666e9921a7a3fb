import json
import logging

import faust
from kafka import KafkaConsumer

log = logging.getLogger(__name__)
app = faust.App("inventory", broker="kafka://kafka:9092")
orders = app.topic("order.order.created")


def run():
    consumer = KafkaConsumer("order.order.created", group_id="inventory", enable_auto_commit=False)
    for message in consumer:  # expect: CL204
        try:
            reserve_stock(json.loads(message.value))
        except Exception:
            log.exception("could not reserve stock")
        consumer.commit()


def reserve_stock(event):
    ...


@app.agent(orders)
async def reserve(stream):
    async for event in stream:  # expect: CL204
        reserve_stock(event)
