"""One-word topics that name what should happen: requests to serve (MyITjournal's template
service) and an action still to take; a reply and a bare noun break the pattern (CL215), not the tense."""

import json

from kafka import KafkaProducer

producer = KafkaProducer(bootstrap_servers="kafka:9092")


def ask_render(template_id):
    producer.send("template_render_requests", key=template_id.encode(), value=json.dumps({"id": template_id}).encode())  # expect: CL212


def ask_restock(drug_id):
    producer.send("drug_to_restock", key=drug_id.encode(), value=json.dumps({"drug": drug_id}).encode())  # expect: CL212


def reply(template_id, html):
    producer.send("template_render_responses", key=template_id.encode(), value=json.dumps({"html": html}).encode())
    producer.send("templates", key=template_id.encode(), value=json.dumps({"id": template_id}).encode())
