"""The same wrappers, given events with their envelope."""
from auth.rabbit.base import AMQPClient, ServicePublisher
from auth.rabbit.models import AMQPMessage


class AuthPublisher(ServicePublisher):
    async def publish_token_issued(self, user_id: int, event_id: str, now: str, correlation_id: str):
        message = {"event_id": event_id, "event_type": "identity.token.issued", "event_version": "1.0",
                   "timestamp": now, "source": "auth", "correlation_id": correlation_id,
                   "data": {"user_id": user_id}}
        await self.publish_message(message)


async def slot_reserved(slot_id: str, event_id: str, now: str, correlation_id: str):
    client = await AMQPClient().init()
    await client.event_producer(
        "parking", "parking.slot.reserved",
        message=AMQPMessage(event_id=event_id, event_type="parking.slot.reserved", timestamp=now,
                            correlation_id=correlation_id, data={"slot_id": slot_id}),
    )
