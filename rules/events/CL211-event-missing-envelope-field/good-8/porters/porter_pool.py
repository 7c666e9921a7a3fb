"""The same base class, given events with their envelope."""
import sys
import time
import uuid

sys.path.insert(0, "../common")

from kafka_service import KafkaService  # noqa: E402


class PorterPool(KafkaService):
    def patient_arrived(self, patient_id, room, correlation_id):
        self.notify("hospital.patient.arrived", {
            "event_id": str(uuid.uuid4()), "event_type": "patient.arrived", "event_version": "1.0",
            "timestamp": time.time(), "source": "porters", "correlation_id": correlation_id,
            "data": {"patient_id": patient_id, "room": room},
        })

    def send_porter(self, name, room, correlation_id):
        self.dispatch(name, {
            "event_id": str(uuid.uuid4()), "event_type": "porter.dispatched", "event_version": "1.0",
            "timestamp": time.time(), "source": "porters", "correlation_id": correlation_id,
            "data": {"porter": name, "room": room},
        })
