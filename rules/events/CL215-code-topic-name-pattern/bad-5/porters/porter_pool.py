import sys

sys.path.insert(0, "../common")

from kafka_service import KafkaService  # noqa: E402


class PorterPool(KafkaService):
    pass


porter_pool = PorterPool("porters", "porter-pool")  # expect: CL215
