import json

from kafka import KafkaProducer


class Notifier:
    def __init__(self):
        self._producer = KafkaProducer(bootstrap_servers=["kafka:9092"])

    def get_producer(self):
        return self._producer

    def notify(self, topic, event):
        self.get_producer().send(topic, json.dumps(event).encode("utf-8"))  # expect: CL214
