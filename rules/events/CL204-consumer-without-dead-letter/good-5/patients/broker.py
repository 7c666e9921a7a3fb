"""The same wrappers over queues declared with a dead-letter exchange, and one consuming a queue
declared in another module (not judged here)."""
import pika

DEAD_LETTER = {"x-dead-letter-exchange": "patients.dlx"}


class RabbitMQClient:
    def __init__(self, host: str):
        self.connection = pika.BlockingConnection(pika.ConnectionParameters(host))
        self.channel = self.connection.channel()
        self.channel.queue_declare(queue="patients.medical_updates", durable=True, arguments=DEAD_LETTER)

    def consume_messages(self, queue_name, callback):
        self.channel.basic_consume(queue=queue_name, on_message_callback=callback)

    def setup_notification_consumer(self, callback):
        result = self.channel.queue_declare(queue="patients.notifications", durable=True, arguments=DEAD_LETTER)
        self.channel.basic_consume(queue=result.method.queue, on_message_callback=callback, auto_ack=False)
        self.channel.start_consuming()


def consume_elsewhere(channel, callback):
    channel.basic_consume(queue="billing.invoices", on_message_callback=callback)
