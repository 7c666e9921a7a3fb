"""A consuming wrapper (roelzkie15/python-microservices-patterns' saga-choreography amqp_client.py)."""
import aio_pika


class AMQPClient:
    async def init(self):
        self.connection = await aio_pika.connect_robust("amqp://rabbitmq/")
        self.channel = await self.connection.channel()
        return self

    async def event_consumer(self, callback, event_store, event="#", queue_name=None):
        exchange = await self.channel.declare_exchange(event_store, type="topic", durable=True)
        queue = await self.channel.declare_queue(queue_name, arguments={"x-dead-letter-exchange": "dlx"})
        await queue.bind(exchange, event)
        await queue.consume(callback)
