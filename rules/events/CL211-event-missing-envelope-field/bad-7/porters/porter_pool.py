"""A service run from its own folder, importing the base class from a sibling folder put on sys.path."""
import sys

sys.path.insert(0, "../common")

from kafka_service import KafkaService  # noqa: E402


class PorterPool(KafkaService):
    def patient_arrived(self, patient_id, room):
        self.notify("hospital.patient.arrived", {"patient_id": patient_id, "room": room})  # expect: CL211

    def send_porter(self, name, room):
        self.dispatch(name, {"porter": name, "room": room})  # expect: CL211
