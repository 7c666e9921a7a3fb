"""A producer built at module level in another module and imported here
(elpapi42/reactive-microservices-with-kafka-python)."""
from source.infrastructure.kafka import producer


async def user_registered(user):
    await producer.send(
        topic="identity.user.registered",
        value=user.json().encode(),
        key=str(user.id).encode(),
    )
