"""Request/reply, RabbitMQ's own use (the tutorials' RPC): an auto-acked exclusive reply queue and a
server answering on reply_to are not event consumers."""

import uuid

import pika


def fib(n):
    return n if n < 2 else fib(n - 1) + fib(n - 2)


class FibonacciRpcClient:
    def __init__(self):
        self.connection = pika.BlockingConnection(pika.ConnectionParameters(host="rabbitmq"))
        self.channel = self.connection.channel()
        result = self.channel.queue_declare(queue="", exclusive=True)
        self.callback_queue = result.method.queue
        self.channel.basic_consume(queue=self.callback_queue, on_message_callback=self.on_response, auto_ack=True)
        self.response = None
        self.corr_id = str(uuid.uuid4())

    def on_response(self, ch, method, props, body):
        if self.corr_id == props.correlation_id:
            self.response = body


def on_request(ch, method, props, body):
    response = fib(int(body))
    ch.basic_publish(exchange="", routing_key=props.reply_to,
                     properties=pika.BasicProperties(correlation_id=props.correlation_id), body=str(response))
    ch.basic_ack(delivery_tag=method.delivery_tag)


channel = pika.BlockingConnection(pika.ConnectionParameters(host="rabbitmq")).channel()
channel.queue_declare(queue="rpc_queue", durable=True)
channel.basic_consume(queue="rpc_queue", on_message_callback=on_request)
