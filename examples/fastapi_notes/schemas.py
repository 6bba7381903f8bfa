"""Request and response models."""
from pydantic import BaseModel


class UserCreate(BaseModel):
    """Sign-up form."""

    email: str
    password: str


class UserOut(BaseModel):
    """A user as returned by the API."""

    id: int
    email: str
    hashed_password: str
