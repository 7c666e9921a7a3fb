"""Consume wrappers of a service's RabbitMQ client: the callback (and the queue) come from the caller, the
queues are declared here, none with a dead-letter exchange."""
import pika


class RabbitMQClient:
    def __init__(self, host: str):
        self.connection = pika.BlockingConnection(pika.ConnectionParameters(host))
        self.channel = self.connection.channel()
        self.channel.queue_declare(queue="patients.medical_updates", durable=True)
        self.channel.queue_declare(queue="patients.appointments", durable=True)

    def consume_messages(self, queue_name, callback):
        self.channel.basic_qos(prefetch_count=1)
        self.channel.basic_consume(queue=queue_name, on_message_callback=callback)  # expect: CL204

    def setup_notification_consumer(self, callback):
        result = self.channel.queue_declare(queue="patients.notifications", durable=True)
        queue_name = result.method.queue
        self.channel.queue_bind(exchange="notifications", queue=queue_name, routing_key="notification.patient.*")
        self.channel.basic_consume(queue=queue_name, on_message_callback=callback, auto_ack=False)  # expect: CL204
        self.channel.start_consuming()
