"""Events named by an "event" key in the payload (evangraan/microservices-event-driven-kafka-python-ubuntu)."""
import json

from kafka import KafkaProducer

producer = KafkaProducer(bootstrap_servers=["kafka:9092"])


def dispatch_porter(name, room):
    event = {"event": "dispatch", "name": name, "room": room}  # expect: CL212
    producer.send("hospital.porter.dispatched", json.dumps(event).encode(), key=name.encode())


def admit(patient_id):
    event = json.dumps({"event": "patient_acquisition", "uuid": patient_id})  # expect: CL212
    producer.send("hospital.patient.admitted", event.encode("utf-8"), key=patient_id.encode())
