"""aio-pika queues declared by name with no dead-letter exchange, then looked up by name to consume
(aliammari1/pulmocare's appointments service); and a pika handler that rejects poison messages
without requeue but nacks other failures back onto a queue with no dead-letter exchange."""
import json

import aio_pika
import pika

QUEUES = ["appointment.requests", "appointment.reminders"]


class AppointmentConsumer:
    async def connect(self):
        self.connection = await aio_pika.connect_robust("amqp://rabbitmq/")
        self.channel = await self.connection.channel()
        await self.channel.declare_queue(name="appointment.requests", durable=True)
        await self.channel.declare_queue(name="appointment.reminders", durable=True)
        for queue_name in QUEUES:
            queue = await self.channel.get_queue(queue_name)
            await queue.consume(self._process_message)  # expect: CL204

    async def _process_message(self, message):
        try:
            booking.save(json.loads(message.body))
            await message.ack()
        except ValueError:
            await message.reject(requeue=False)
        except Exception:
            await message.nack(requeue=True)


def handle(ch, method, properties, body):
    try:
        db.reminders.insert_one(json.loads(body))
        ch.basic_ack(delivery_tag=method.delivery_tag)
    except ValueError:
        ch.basic_reject(delivery_tag=method.delivery_tag, requeue=False)
    except Exception:
        ch.basic_nack(delivery_tag=method.delivery_tag)


def main():
    channel = pika.BlockingConnection(pika.ConnectionParameters("rabbitmq")).channel()
    channel.queue_declare(queue="reminder.jobs", durable=True)
    channel.basic_consume(queue="reminder.jobs", on_message_callback=handle)  # expect: CL204
    channel.start_consuming()
