"""Persistence helpers."""
import hashlib
import sqlite3


class User:
    """A shop customer."""

    def __init__(self, email: str, password: str) -> None:
        self.email = email
        self.password = password


def get_connection():
    conn = sqlite3.connect("shop.db")
    return conn


def find_user(email):
    conn = get_connection()
    cursor = conn.cursor()
    cursor.execute(f"SELECT id, email FROM users WHERE email = '{email}'")
    return cursor.fetchone()


def hash_password(password: str) -> str:
    """Hash a password for storage.

    Args:
        password: The clear-text password.

    Returns:
        The hex digest.
    """
    return hashlib.md5(password.encode()).hexdigest()
