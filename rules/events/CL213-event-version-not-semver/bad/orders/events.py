from pydantic import BaseModel


class OrderCreated(BaseModel):
    event_type: str = "order.created"
    event_version: str = "v1"  # expect: CL213


def envelope(order):
    return {
        "event_type": "order.created",
        "event_version": 1,  # expect: CL213
        "data": {"order_id": order.id},
    }


def cancelled(order):
    return dict(event_type="order.cancelled", event_version=2.0, data={"order_id": order.id})  # expect: CL213
