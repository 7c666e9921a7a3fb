from pydantic import BaseModel


class AMQPMessage(BaseModel):
    id: str
    content: dict
