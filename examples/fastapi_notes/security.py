"""Password checks."""
from .auth import JWT_SECRET


def check_password(candidate: str, stored: str) -> bool:
    """Compare a password with the stored one."""
    return candidate == stored and bool(JWT_SECRET)
