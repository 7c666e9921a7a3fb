import json

from app.amqp_client import AMQPClient
from app.db import save_billing_request


async def on_booking_created(message):
    async with message.process():
        await save_billing_request(json.loads(message.body))


async def startup():
    client = await AMQPClient().init()
    await client.event_consumer(on_booking_created, "BOOKING_TX", "booking.booking.created", "billing_booking_events")
