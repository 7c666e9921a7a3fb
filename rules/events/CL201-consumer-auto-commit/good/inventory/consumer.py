from aiokafka import AIOKafkaConsumer
from confluent_kafka import Consumer

conf = {"bootstrap.servers": "kafka:9092", "group.id": "inventory-service"}
conf["enable.auto.commit"] = False
consumer = Consumer(conf)

stored = Consumer({**conf, "enable.auto.commit": True, "enable.auto.offset.store": False})
no_group = AIOKafkaConsumer("order.order.created", bootstrap_servers="kafka:9092")
manual = AIOKafkaConsumer("order.order.created", group_id="inventory", enable_auto_commit=False)


def from_settings(settings):
    return Consumer(settings)
