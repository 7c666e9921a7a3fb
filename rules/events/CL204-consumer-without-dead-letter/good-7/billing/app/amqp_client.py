"""An aio-pika consume wrapper whose callback is its caller's (roelzkie15/python-microservices-patterns)."""
import aio_pika


class AMQPClient:
    async def init(self):
        self.connection = await aio_pika.connect_robust("amqp://rabbitmq/")
        self.channel = await self.connection.channel()
        return self

    async def event_consumer(self, callback, event_store, event, queue_name):
        exchange = await self.channel.declare_exchange(event_store, type="topic", durable=True)
        queue = await self.channel.declare_queue(queue_name, durable=True, arguments={"x-dead-letter-exchange": "billing.dlx"})
        await queue.bind(exchange, event)
        await queue.consume(callback)
