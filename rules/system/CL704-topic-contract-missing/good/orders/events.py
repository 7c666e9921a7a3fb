from confluent_kafka import Producer

producer = Producer({"bootstrap.servers": "kafka:9092"})


def order_created(order):
    producer.produce("orders.order.created", key=order["id"], value=order["payload"])
