from app.amqp_client import AMQPClient
from app.db import set_booking_status


async def on_parking_reserved(message):
    await set_booking_status(message.body)


async def startup():
    client = await AMQPClient().init()
    await client.event_consumer(on_parking_reserved, "BOOKING_TX", "parking.slot.reserved", "booking_events")
