from confluent_kafka import Consumer, Producer

consumer = Consumer({"bootstrap.servers": "kafka:9092", "group.id": "inventory", "enable.auto.commit": False})
consumer.subscribe(["order.order.created", "order.order.cancelled", "payment.transaction.failed"])
consumer.subscribe(["^order\\..*"])
producer = Producer({"bootstrap.servers": "kafka:9092"})
producer.produce("inventory.stock.reserved", key="prod-001", value=b"{}")
producer.produce("inventory.stock.released", key="prod-001", value=b"{}")
producer.produce("order.order.created.dlq", key="ord-456", value=b"{}")
