from app.amqp_client import AMQP, AMQPClient
from app.models import AMQPMessage


def booking_created(booking):
    with AMQP() as amqp:
        client: AMQPClient = amqp
        client.event_producer(
            "BOOKING_TX_EVENT",
            "booking.booking.created",
            AMQPMessage(id=booking.ref_no, content=booking.to_dict()),  # expect: CL211
        )
