"""A base class every service of the tree builds on (evangraan/microservices-event-driven-kafka-python-ubuntu)."""
import json

from kafka import KafkaConsumer, KafkaProducer


class KafkaService:
    def __init__(self, topic, group_id):
        self._producer = KafkaProducer(bootstrap_servers=["kafka:9092"])
        self._consumer = KafkaConsumer(topic, bootstrap_servers=["kafka:9092"], group_id=group_id,
                                       enable_auto_commit=False)

    def get_producer(self):
        return self._producer

    def notify(self, topic, event):
        event = json.dumps(event)
        self.get_producer().send(topic, event.encode("utf-8"), key=b"hospital")

    def dispatch(self, name, event):
        self.notify("hospital.porter.dispatched", event)
