"""Events published through wrappers of another module: a base class's method and a client's."""
from auth.rabbit.base import AMQPClient, ServicePublisher
from auth.rabbit.models import AMQPMessage


class AuthPublisher(ServicePublisher):
    async def publish_token_issued(self, user_id: int):
        message = {"event": "token_issued", "data": {"user_id": user_id}}  # expect: CL211
        await self.publish_message(message)


async def slot_reserved(slot_id: str):
    client = await AMQPClient().init()
    await client.event_producer(
        "parking", "parking.slot.reserved",
        message=AMQPMessage(id=slot_id, content={"status": "reserved"}),  # expect: CL211
    )
