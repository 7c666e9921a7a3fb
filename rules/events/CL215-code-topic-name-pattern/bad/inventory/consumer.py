from confluent_kafka import Consumer, Producer

TOPIC = "orders"  # expect: CL215

consumer = Consumer({"bootstrap.servers": "kafka:9092", "group.id": "inventory", "enable.auto.commit": False})
consumer.subscribe([TOPIC, "Inventory.Stock.Reserved"])  # expect: CL215
producer = Producer({"bootstrap.servers": "kafka:9092"})
producer.produce("stock.reserved", key="prod-001", value=b"{}")  # expect: CL215
