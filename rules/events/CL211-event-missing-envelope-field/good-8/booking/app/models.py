from typing import Any

from attrs import define


@define
class AMQPMessage:
    event_id: str
    event_type: str
    event_version: str
    timestamp: float
    source: str
    correlation_id: str
    content: Any
