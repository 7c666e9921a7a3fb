"""One-word topics with the command last (shreyash53/MLOPS-Distributed-Platform's deployer)."""

import json

from kafka import KafkaProducer

producer = KafkaProducer(bootstrap_servers="kafka:9092")


def deploy(app_id):
    producer.send("app_deploy2", key=app_id.encode(), value=json.dumps({"app": app_id}).encode())  # expect: CL212


def restart(model_id):
    producer.send("model_restart", key=model_id.encode(), value=json.dumps({"model": model_id}).encode())  # expect: CL212


def schedule(app_id):
    # "schedule" is as often the noun: the name breaks the pattern (CL215), not the tense
    producer.send("topic_schedule", key=app_id.encode(), value=json.dumps({"app": app_id}).encode())
