"""A shared helper that builds the consumers of every service."""
from kafka import KafkaConsumer


def get_consumer(topic: str) -> KafkaConsumer:
    return KafkaConsumer(topic, bootstrap_servers="kafka:9092", group_id=f"{topic}.inventory",
                         enable_auto_commit=False)
