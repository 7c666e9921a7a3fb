"""A base class that builds the consumer of the topic its subclasses name."""
from kafka import KafkaConsumer


class KafkaService:
    def __init__(self, topic, group_id):
        self._consumer = KafkaConsumer(topic, bootstrap_servers=["kafka:9092"], group_id=group_id,
                                       enable_auto_commit=False)
