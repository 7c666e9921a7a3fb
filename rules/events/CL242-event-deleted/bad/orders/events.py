from confluent_kafka import Producer
from confluent_kafka.admin import AdminClient, TopicPartition

producer = Producer({"bootstrap.servers": "kafka:9092"})
admin = AdminClient({"bootstrap.servers": "kafka:9092"})


def cancel(order_id: str) -> None:
    producer.produce("orders.order.created", key=order_id, value=None)  # expect: CL242
    producer.flush()


def purge(partition: int, offset: int) -> None:
    admin.delete_records([TopicPartition("orders.order.created", partition, offset)])  # expect: CL242
