import kafka
from aiokafka import AIOKafkaConsumer
from confluent_kafka import Consumer

conf = {"bootstrap.servers": "kafka:9092", "group.id": "inventory-service"}
consumer = Consumer(conf)  # expect: CL201

billing = Consumer({"bootstrap.servers": "kafka:9092", "group.id": "billing", "enable.auto.commit": "true"})  # expect: CL201


async def consume():
    return AIOKafkaConsumer("order.order.created", bootstrap_servers="kafka:9092", group_id="inventory")  # expect: CL201


def legacy():
    return kafka.KafkaConsumer("order.order.created", group_id="inventory", bootstrap_servers="kafka:9092")  # expect: CL201
