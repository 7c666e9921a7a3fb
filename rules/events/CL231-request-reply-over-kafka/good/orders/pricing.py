import json

from confluent_kafka import Consumer, Producer

producer = Producer({"bootstrap.servers": "kafka:9092"})
consumer = Consumer({"bootstrap.servers": "kafka:9092", "group.id": "pricing", "enable.auto.commit": False})


def run():
    producer.produce("pricing.service.started", key="pricing", value=b"{}")
    consumer.subscribe(["order.order.created"])
    while True:
        msg = consumer.poll(1.0)
        if msg is None:
            continue
        producer.produce("pricing.price.calculated", key=msg.key(), value=json.dumps({"total": 1}))
        consumer.commit(message=msg)
