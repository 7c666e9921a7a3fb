"""Events whose envelope is declared on a base class of another module and its subclasses."""
from aiokafka import AIOKafkaProducer

from users.events.schemas import BaseEvent, UserRenamed

producer = AIOKafkaProducer(bootstrap_servers="kafka:9092")


async def publish(event: BaseEvent, key: bytes):
    await producer.send_and_wait(event.event_type, event.model_dump_json().encode(), key=key)


async def rename(user_id: int, name: str, correlation_id: str):
    event = UserRenamed(user_id=user_id, name=name, correlation_id=correlation_id)
    await producer.send_and_wait("identity.user.renamed", event.model_dump_json().encode(), key=str(user_id).encode())
