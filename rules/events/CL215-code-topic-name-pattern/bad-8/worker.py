import json

from confluent_kafka import Producer

from pipeline.config import TOPICS

LOCAL = {"discharged": "discharged"}

producer = Producer({"bootstrap.servers": "kafka:9092"})


def publish(event: dict) -> None:
    producer.produce(TOPICS["admitted"], json.dumps(event).encode(), key=str(event["patient_id"]))
    producer.produce(TOPICS["audit"], json.dumps(event).encode(), key=str(event["patient_id"]))  # expect: CL215


def dead_letter(raw: bytes) -> None:
    producer.produce(TOPICS["dlq"], raw, key=b"dead-letter")  # expect: CL215
    producer.flush()


def discharged(event: dict) -> None:
    producer.produce(LOCAL["discharged"], json.dumps(event).encode(), key=str(event["patient_id"]))  # expect: CL215
