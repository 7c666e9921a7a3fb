from confluent_kafka import Producer

producer = Producer({"bootstrap.servers": "kafka:9092"})


def publish(invoice_id: str, payload: bytes) -> None:
    producer.produce("billing.invoice.issued", key=invoice_id, value=payload)
