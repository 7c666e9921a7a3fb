import sys

sys.path.insert(0, "../common")

from kafka_service import KafkaService  # noqa: E402


class PorterPool(KafkaService):
    pass


porter_pool = PorterPool("hospital.porter.dispatched", "porter-pool")
