from aiokafka import AIOKafkaProducer

producer = AIOKafkaProducer(bootstrap_servers="kafka:9092")


async def publish(order):
    await producer.send_and_wait("order.create", key=order.id, value=b"...")  # expect: CL212
    await producer.send_and_wait("process_payment", key=order.id, value=b"...")  # expect: CL212
    return {
        "event_type": "create_order",  # expect: CL212
        "data": {"order_id": order.id},
    }
