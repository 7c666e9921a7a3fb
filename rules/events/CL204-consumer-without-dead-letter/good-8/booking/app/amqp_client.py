"""The named queue dead-lettered; a subscription queue the server names (auto-delete, no name) and an
exclusive reply queue are transient: losing their messages with the connection is what they are for."""
from functools import partial

import aio_pika


class AMQPClient:
    async def init(self):
        self.connection = await aio_pika.connect_robust("amqp://rabbitmq/")
        self.channel = await self.connection.channel()
        return self

    async def event_consumer(self, callback, event_store, event, queue_name):
        exchange = await self.channel.declare_exchange(event_store, type="topic", durable=True)
        queue = await self.channel.declare_queue(queue_name, auto_delete=True,
                                                 arguments={"x-dead-letter-exchange": "booking.dlx"})
        await queue.bind(exchange, event)
        await queue.consume(partial(self._process_message, callback=callback))

    async def watch(self, callback, event_store):
        exchange = await self.channel.declare_exchange(event_store, type="topic", durable=True)
        queue = await self.channel.declare_queue(auto_delete=True)
        await queue.bind(exchange, "#")
        await queue.consume(partial(self._process_message, callback=callback))

    async def replies(self, callback):
        queue = await self.channel.declare_queue(exclusive=True)
        await queue.consume(partial(self._process_message, callback=callback))

    async def _process_message(self, message, callback):
        async with message.process():
            await callback(message)
