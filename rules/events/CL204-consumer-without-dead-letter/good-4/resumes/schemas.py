from pydantic import BaseModel


class UserDeleted(BaseModel):
    user_id: int
