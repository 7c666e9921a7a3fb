"""Events defined as pydantic models in another module (wsdm777/fastapi-microservices' user service)."""
from aiokafka import AIOKafkaProducer

from users.events.schemas import UserDeleteEvent, UserRenamed

producer = AIOKafkaProducer(bootstrap_servers="kafka:9092")


async def produce_user_delete_event(event: UserDeleteEvent):
    value = event.model_dump_json().encode("utf-8")
    await producer.send_and_wait("identity.user.deleted", value, key=str(event.deleted_user_id).encode())  # expect: CL211


async def rename(user_id: int, name: str):
    event = UserRenamed(user_id=user_id, name=name)  # expect: CL211
    await producer.send_and_wait("identity.user.renamed", event.model_dump_json().encode(), key=str(user_id).encode())
