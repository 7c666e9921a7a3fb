from typing import Any

from attrs import define


@define
class AMQPMessage:
    id: str
    content: Any
