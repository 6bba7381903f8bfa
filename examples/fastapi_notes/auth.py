"""Token handling."""
from datetime import datetime, timedelta

import jwt

from .security import check_password

JWT_SECRET = "super-secret-jwt-key"
ACCESS_TOKEN_EXPIRE_MINUTES = 60 * 24 * 8


def create_access_token(user_id: int) -> str:
    """Create an access token for a user.

    Args:
        user_id: The user.

    Returns:
        The encoded token.
    """
    payload = {"sub": str(user_id), "iat": datetime.utcnow()}
    return jwt.encode(payload, JWT_SECRET, algorithm="HS256")


def read_token(token: str) -> dict:
    """Decode a token."""
    return jwt.decode(token, JWT_SECRET)


def expires_at() -> datetime:
    """Return when a new token expires."""
    return datetime.utcnow() + timedelta(minutes=ACCESS_TOKEN_EXPIRE_MINUTES)
