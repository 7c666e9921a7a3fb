from aiokafka import AIOKafkaProducer

producer = AIOKafkaProducer(bootstrap_servers="kafka:9092")


async def publish(order):
    await producer.send_and_wait("order.order.created", key=order.id, value=b"...")
    await producer.send_and_wait("notification.email.sent", key=order.id, value=b"...")
    await producer.send_and_wait("payment.invoice.paid", key=order.id, value=b"...")
    await producer.send_and_wait("inventory.stock.snapshot", key=order.id, value=b"...")
    await producer.send_and_wait("order.order.created.dlq", key=order.id, value=b"...")
    return {"event_type": "OrderCreatedV2", "data": {"order_id": order.id}}
