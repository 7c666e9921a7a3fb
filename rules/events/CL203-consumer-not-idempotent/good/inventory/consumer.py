from aiokafka import AIOKafkaConsumer

from .events import OrderCreatedEvent


# Idempotent consumer — handle duplicate deliveries safely.
async def handle_order_created(event: OrderCreatedEvent) -> None:
    # Check if already processed (idempotency key).
    if await event_store.is_processed(event.event_id):
        logger.info("event_already_processed", event_id=event.event_id)
        return

    # Process the event.
    await inventory.reserve_stock(event.data.items)

    # Mark as processed.
    await event_store.mark_processed(event.event_id)


async def consume():
    consumer = AIOKafkaConsumer("order.order.created", group_id="inventory", enable_auto_commit=False)
    await consumer.start()
    async for msg in consumer:
        await handle_order_created(OrderCreatedEvent.model_validate_json(msg.value))
        await consumer.commit()
