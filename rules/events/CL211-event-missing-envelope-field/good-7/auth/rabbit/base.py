import json

import aio_pika


class ServicePublisher:
    """A publishing base class of the tree (BartVampire/fastapi-micro-rabbitmq-services' rabbit/base_aio.py)."""

    async def publish_message(self, message):
        connection = await aio_pika.connect_robust("amqp://rabbitmq/")
        channel = await connection.channel()
        exchange = await channel.declare_exchange("auth", aio_pika.ExchangeType.FANOUT)
        body = json.dumps(message)
        await exchange.publish(aio_pika.Message(body=body.encode()), routing_key="")


class AMQPClient:
    """A client wrapper of the tree (roelzkie15/python-microservices-patterns' amqp_client.py)."""

    async def init(self):
        self.connection = await aio_pika.connect_robust("amqp://rabbitmq/")
        self.channel = await self.connection.channel()
        return self

    async def event_producer(self, exchange, binding_key, message):
        exchange = await self.channel.declare_exchange(exchange, type="topic", durable=True)
        payload = message.dict()
        await exchange.publish(aio_pika.Message(body=str(payload).encode()), routing_key=binding_key)
