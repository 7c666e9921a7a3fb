from app.amqp_client import AMQPClient


async def on_booking_created(message):
    async with message.process():
        print(message.body)


async def startup():
    client: AMQPClient = await AMQPClient().init()
    await client.event_consumer(on_booking_created, "BOOKING_TX", "booking.booking.created", "booking_events")
    await client.event_consumer(on_booking_created, "BOOKING_TX", "parking.*")  # a wildcard binding: not one name
