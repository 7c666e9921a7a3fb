"""Processed first, acknowledged after: kombu's message.ack() at the end of the callback, and
aiobotocore's delete_message once the work is done (a failure leaves the message to be received
again, then to the queue's redrive policy)."""

import json

from aiobotocore.session import get_session
from kombu import Connection, Consumer, Exchange, Queue

orders = Exchange("orders", type="topic")
shipments = Queue("shipping.orders", orders, routing_key="orders.order.placed",
                  queue_arguments={"x-dead-letter-exchange": "shipping.dlx"})


def ship(order):
    ...


def on_order(body, message):
    try:
        ship(body)
    except Exception:
        message.reject(requeue=False)
        return
    message.ack()


def consume_kombu():
    with Connection("amqp://guest:guest@rabbitmq//") as conn:
        with Consumer(conn, queues=[shipments], callbacks=[on_order], accept=["json"]):
            while True:
                conn.drain_events()


async def consume_sqs(queue_url):
    session = get_session()
    async with session.create_client("sqs", region_name="eu-west-1") as client:
        while True:
            response = await client.receive_message(QueueUrl=queue_url, WaitTimeSeconds=20)
            for msg in response.get("Messages", []):
                ship(json.loads(msg["Body"]))
                await client.delete_message(QueueUrl=queue_url, ReceiptHandle=msg["ReceiptHandle"])
