from datetime import datetime
from uuid import uuid4

from pydantic import BaseModel, Field


class BaseEvent(BaseModel):
    event_id: str = Field(default_factory=lambda: str(uuid4()))
    event_type: str
    timestamp: datetime = Field(default_factory=datetime.utcnow)
    source: str = "users"
    correlation_id: str | None = None


class UserDeleted(BaseEvent):
    event_type: str = "identity.user.deleted"
    event_version: str = "1.0"
    user_id: int


class UserRenamed(BaseEvent):
    event_type: str = "identity.user.renamed"
    event_version: str = "1.0"
    user_id: int
    name: str
