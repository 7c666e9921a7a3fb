import time
import uuid

from app.amqp_client import AMQP, AMQPClient
from app.models import AMQPMessage


def booking_created(booking, correlation_id):
    with AMQP() as amqp:
        client: AMQPClient = amqp
        client.event_producer(
            "BOOKING_TX_EVENT",
            "booking.booking.created",
            AMQPMessage(event_id=str(uuid.uuid4()), event_type="booking.created", event_version="1.0",
                        timestamp=time.time(), source="booking", correlation_id=correlation_id,
                        content=booking.to_dict()),
        )
