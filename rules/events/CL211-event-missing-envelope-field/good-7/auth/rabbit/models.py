from pydantic import BaseModel


class AMQPMessage(BaseModel):
    event_id: str
    event_type: str
    event_version: str = "1.0"
    timestamp: str
    source: str = "parking"
    correlation_id: str
    data: dict
