from confluent_kafka import SerializingProducer
from confluent_kafka.schema_registry import SchemaRegistryClient
from confluent_kafka.schema_registry.avro import AvroSerializer

registry = SchemaRegistryClient({"url": "http://schema-registry.kafka.svc.cluster.local:8081"})
with open("schemas/orders/order-created.avsc") as fh:
    serializer = AvroSerializer(registry, fh.read())
producer = SerializingProducer({"bootstrap.servers": "kafka:9092", "value.serializer": serializer})


def publish_created(event: dict) -> None:
    producer.produce("orders.order.created", key=event["order_id"], value=event)
    producer.flush()
