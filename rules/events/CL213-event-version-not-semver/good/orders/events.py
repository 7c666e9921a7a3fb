from pydantic import BaseModel

EVENT_VERSION = "2.1.0"


class OrderCreated(BaseModel):
    event_type: str = "order.created"
    event_version: str = "1.0"


def envelope(order):
    return {"event_type": "order.created", "event_version": EVENT_VERSION, "data": {"order_id": order.id}}
