"""A pika client wrapper (roelzkie15/python-microservices-patterns' event-sourcing amqp_client.py)."""
import contextlib
import json

import attrs
import pika

from app.models import AMQPMessage


class AMQPClient:
    def init(self):
        self.connection = pika.BlockingConnection(pika.URLParameters("amqp://rabbitmq/"))
        self.channel = self.connection.channel()
        return self

    def event_producer(self, event_store: str, binding_key: str, message: AMQPMessage) -> None:
        self.channel.exchange_declare(exchange=event_store, exchange_type="topic", durable=True)
        payload = json.dumps(attrs.asdict(message))
        self.channel.basic_publish(exchange=event_store, routing_key=binding_key, body=payload)


@contextlib.contextmanager
def AMQP() -> AMQPClient:
    client = AMQPClient().init()
    try:
        yield client
    finally:
        client.connection.close()
