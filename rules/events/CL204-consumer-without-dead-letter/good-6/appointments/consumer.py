"""The same consumers over queues declared with a dead-letter exchange; and a pika handler that
rejects every failure without requeue (a policy may dead-letter it)."""
import json

import aio_pika
import pika

QUEUES = ["appointment.requests", "appointment.reminders"]
DLX = {"x-dead-letter-exchange": "appointments.dlx"}


class AppointmentConsumer:
    async def connect(self):
        self.connection = await aio_pika.connect_robust("amqp://rabbitmq/")
        self.channel = await self.connection.channel()
        await self.channel.declare_queue(name="appointment.requests", durable=True, arguments=DLX)
        await self.channel.declare_queue(name="appointment.reminders", durable=True, arguments=DLX)
        for queue_name in QUEUES:
            queue = await self.channel.get_queue(queue_name)
            await queue.consume(self._process_message)

    async def _process_message(self, message):
        try:
            booking.save(json.loads(message.body))
            await message.ack()
        except Exception:
            await message.reject(requeue=False)


def handle(ch, method, properties, body):
    try:
        db.reminders.insert_one(json.loads(body))
        ch.basic_ack(delivery_tag=method.delivery_tag)
    except Exception:
        ch.basic_reject(delivery_tag=method.delivery_tag, requeue=False)


def main():
    channel = pika.BlockingConnection(pika.ConnectionParameters("rabbitmq")).channel()
    channel.queue_declare(queue="reminder.jobs", durable=True)
    channel.basic_consume(queue="reminder.jobs", on_message_callback=handle)
    channel.start_consuming()
