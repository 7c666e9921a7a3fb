"""Routing keys handed to a client wrapper of another module (roelzkie15/python-microservices-patterns'
saga services): the wrapper publishes them to a topic exchange, so they name the events."""
from parking.rabbit.base import AMQPClient


async def slot_reserved(event: dict):
    client = await AMQPClient().init()
    await client.event_producer("parking", "parking.reserved", message=event)  # expect: CL215


async def slot_released(event: dict):
    client = await AMQPClient().init()
    await client.event_producer("parking", "parking.slot.released", message=event)
