"""Past-tense event names in an "event" key, also with the verb's object after it."""
import json

from kafka import KafkaProducer

producer = KafkaProducer(bootstrap_servers=["kafka:9092"])


def porter_dispatched(name, room):
    event = {"event": "porter_dispatched", "name": name, "room": room}
    producer.send("hospital.porter.dispatched", json.dumps(event).encode(), key=name.encode())


def patient_left(patient_id, room):
    event = json.dumps({"event_type": "patient_left_room", "uuid": patient_id, "room": room})
    producer.send("hospital.patient.left", event.encode("utf-8"), key=patient_id.encode())
