import json
import uuid

from confluent_kafka import Consumer, Producer

producer = Producer({"bootstrap.servers": "kafka:9092"})
replies = Consumer({"bootstrap.servers": "kafka:9092", "group.id": "orders-replies", "enable.auto.commit": False})


def get_price(product_id):
    request_id = str(uuid.uuid4())
    producer.produce("pricing.price.requested", key=product_id, value=json.dumps({"request_id": request_id}))
    producer.flush()
    while True:
        msg = replies.poll(1.0)  # expect: CL231
        if msg is not None and msg.key() == request_id.encode():
            return json.loads(msg.value())
