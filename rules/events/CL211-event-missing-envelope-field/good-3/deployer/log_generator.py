"""Log records and load metrics shipped over Kafka are no events: they carry no envelope
(shreyash53/MLOPS-Distributed-Platform's send_log helpers and node load reports)."""

import json
import os

from aiokafka import AIOKafkaProducer

METRICS_TOPIC = "node.metrics"


async def report(producer: AIOKafkaProducer, node_id: str, cpu: float, ram: float) -> None:
    await producer.send_and_wait(METRICS_TOPIC, json.dumps({"node": node_id, "cpu": cpu, "ram": ram}).encode(),
                                 key=node_id.encode())


async def send_log(producer: AIOKafkaProducer, level: str, msg: str) -> None:
    record = {"level": level, "service": "deployer", "msg": msg}
    await producer.send_and_wait(os.getenv("KAFKA_LOG_TOPIC", "logs"), json.dumps(record).encode(), key=b"deployer")
