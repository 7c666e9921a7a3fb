import json

from confluent_kafka import Consumer

consumer = Consumer({"bootstrap.servers": "kafka:9092", "group.id": "inventory", "enable.auto.commit": False})


def handle_order_created(event):
    inventory.reserve_stock(event["data"]["items"])


def run():
    consumer.subscribe(["order.order.created"])
    while True:
        msg = consumer.poll(1.0)  # expect: CL203
        if msg is None:
            continue
        handle_order_created(json.loads(msg.value()))
        consumer.commit(message=msg)


class PaymentConsumer:
    def __init__(self):
        self.consumer = Consumer({"bootstrap.servers": "kafka:9092", "group.id": "payments", "enable.auto.commit": False})

    def handle(self, event):
        if store.is_processed(event["data"]["order_id"]):
            return
        charge(event)

    def run(self):
        for msg in self.consumer.consume(num_messages=10, timeout=1.0):  # expect: CL203
            self.handle(json.loads(msg.value()))
