from aiokafka import AIOKafkaConsumer


async def consume(topic, servers):
    consumer = AIOKafkaConsumer(topic, bootstrap_servers=servers, group_id="inventory", enable_auto_commit=False)
    await consumer.start()
    async for message in consumer:
        print(message.value)
        await consumer.commit()
