"""A named auto-delete queue, consumed through a wrapper that hands each message to its caller's callback
(roelzkie15/python-microservices-patterns): every instance consuming "booking_events" shares the queue."""
from functools import partial

import aio_pika


class AMQPClient:
    async def init(self):
        self.connection = await aio_pika.connect_robust("amqp://rabbitmq/")
        self.channel = await self.connection.channel()
        return self

    async def event_consumer(self, callback, event_store, event, queue_name=None):
        exchange = await self.channel.declare_exchange(event_store, type="topic", durable=True)
        queue = await self.channel.declare_queue(queue_name, auto_delete=True)
        await queue.bind(exchange, event)
        await queue.consume(partial(self._process_message, callback=callback))  # expect: CL204

    async def _process_message(self, message, callback):
        async with message.process():
            await callback(message)
