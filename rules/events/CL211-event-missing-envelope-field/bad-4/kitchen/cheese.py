"""A pipeline stage that decodes each consumed pizza, adds to it and publishes it again as the next event:
the payload is the consumed message, with no envelope of its own."""
import json
import random

from confluent_kafka import Consumer, Producer

producer = Producer({"bootstrap.servers": "kafka:9092"})
consumer = Consumer({"bootstrap.servers": "kafka:9092", "group.id": "cheese", "enable.auto.commit": False})
consumer.subscribe(["kitchen.pizza.sauced"])


def add_cheese(order_id, pizza):
    pizza["cheese"] = random.choice(["mozzarella", "goat"])
    producer.produce("kitchen.pizza.cheesed", key=order_id, value=json.dumps(pizza))  # expect: CL211


def run():
    while True:
        msg = consumer.poll(1.0)
        if msg is None or msg.error():
            continue
        pizza = json.loads(msg.value())
        add_cheese(msg.key(), pizza)
        consumer.commit(message=msg)


def run_inline():
    msg = consumer.poll(1.0)
    while msg:
        request = json.loads(msg.value())
        request["valid"] = bool(request.get("guest"))
        producer.produce("hotel.booking.checked", key=request["id"], value=json.dumps(request).encode())  # expect: CL211
        consumer.commit(message=msg)
        msg = consumer.poll(1.0)
