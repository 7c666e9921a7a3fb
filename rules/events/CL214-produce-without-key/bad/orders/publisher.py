import faust
from aiokafka import AIOKafkaProducer
from confluent_kafka import Producer
from kafka import KafkaProducer

app = faust.App("orders", broker="kafka://kafka:9092")
created = app.topic("order.order.created")


async def publish(order, payload):
    Producer({"bootstrap.servers": "kafka:9092"}).produce("order.order.created", payload)  # expect: CL214
    aio = AIOKafkaProducer(bootstrap_servers="kafka:9092")
    await aio.send_and_wait("order.order.created", payload)  # expect: CL214
    KafkaProducer().send("order.order.created", value=payload, key=None)  # expect: CL214
    await created.send(value=payload)  # expect: CL214
