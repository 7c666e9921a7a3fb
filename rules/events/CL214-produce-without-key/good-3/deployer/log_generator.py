"""Log records and heartbeats shipped over Kafka: no entity to keep in order, so no key
(shreyash53/MLOPS-Distributed-Platform's log_generator.py and heartbeat client)."""

import json
import os

from kafka import KafkaProducer

log_topic = os.getenv("KAFKA_LOG_TOPIC")
HEARTBEAT_TOPIC = "heartbeats"
producer = KafkaProducer(bootstrap_servers="kafka:9092", value_serializer=lambda x: json.dumps(x).encode())


def send_log(log_type, msg):
    producer.send(log_topic, {"type": log_type, "service_name": "deployer", "msg": msg})


def beat(node_id):
    producer.send(HEARTBEAT_TOPIC, {"node": node_id})
