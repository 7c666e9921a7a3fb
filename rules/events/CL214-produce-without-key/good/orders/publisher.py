import faust
from aiokafka import AIOKafkaProducer
from confluent_kafka import Producer

app = faust.App("orders", broker="kafka://kafka:9092")
created = app.topic("order.order.created")


async def publish(order, payload, **options):
    Producer({"bootstrap.servers": "kafka:9092"}).produce("order.order.created", payload, order.id)
    aio = AIOKafkaProducer(bootstrap_servers="kafka:9092")
    await aio.send_and_wait("order.order.created", payload, key=order.id.encode())
    await aio.send("order.order.created", payload, partition=0)
    await aio.send("order.order.created", payload, **options)
    await created.send(key=order.id, value=payload)
