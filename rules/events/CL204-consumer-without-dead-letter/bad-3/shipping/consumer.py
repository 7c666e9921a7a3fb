"""A kombu consumer whose queue is declared without a dead-letter exchange: a message that keeps
failing is requeued forever (requeue()) or dropped."""

from kombu import Connection, Consumer, Exchange, Queue

orders = Exchange("orders", type="topic")
shipments = Queue("shipping.orders", orders, routing_key="orders.order.placed")


def ship(order):
    ...


def on_order(body, message):
    try:
        ship(body)
    except Exception:
        message.requeue()
        return
    message.ack()


def consume():
    with Connection("amqp://guest:guest@rabbitmq//") as conn:
        with Consumer(conn, queues=[shipments], callbacks=[on_order], accept=["json"]):  # expect: CL204
            while True:
                conn.drain_events()
