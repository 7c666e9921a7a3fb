"""A kombu consumer whose queue is declared with a dead-letter exchange: a failure is rejected without
requeue, so the broker dead-letters it."""

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


def consume():
    with Connection("amqp://guest:guest@rabbitmq//") as conn:
        with Consumer(conn, queues=[shipments], callbacks=[on_order], accept=["json"]):
            while True:
                conn.drain_events()
