import json

from confluent_kafka import Producer

from pipeline.config import TOPICS

LOCAL = {"discharged": "clinical.patient.discharged"}

producer = Producer({"bootstrap.servers": "kafka:9092"})


def publish(event: dict) -> None:
    producer.produce(TOPICS["admitted"], json.dumps(event).encode(), key=str(event["patient_id"]))
    producer.produce(TOPICS["audit"], json.dumps(event).encode(), key=str(event["patient_id"]))
    producer.produce(LOCAL["discharged"], json.dumps(event).encode(), key=str(event["patient_id"]))
    producer.flush()
