import json

import faust
from kafka import KafkaConsumer, KafkaProducer

DLQ_TOPIC = "order.order.created.dlq"
MAX_ATTEMPTS = 3
app = faust.App("inventory", broker="kafka://kafka:9092")
orders = app.topic("order.order.created")


def run():
    consumer = KafkaConsumer("order.order.created", group_id="inventory", enable_auto_commit=False)
    producer = KafkaProducer(bootstrap_servers="kafka:9092")
    for message in consumer:
        for attempt in range(MAX_ATTEMPTS):
            try:
                reserve_stock(json.loads(message.value))
                break
            except Exception:
                if attempt == MAX_ATTEMPTS - 1:
                    producer.send(DLQ_TOPIC, key=message.key, value=message.value)
        consumer.commit()


def reserve_stock(event):
    ...


async def send_to_dlq(event, error):
    ...


@app.agent(orders)
async def reserve(stream):
    async for event in stream:
        try:
            reserve_stock(event)
        except Exception as exc:
            await send_to_dlq(event, exc)
