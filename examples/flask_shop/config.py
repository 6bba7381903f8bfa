"""Configuration of the shop."""
import os

SECRET_KEY = "dev-secret-key-change-me"
DATABASE_PASSWORD = os.getenv("DATABASE_PASSWORD", "postgres")


class Config:
    """Settings loaded into app.config."""

    DEBUG = True
    SECRET_KEY = SECRET_KEY
    SESSION_COOKIE_SECURE = False
    SQLALCHEMY_DATABASE_URI = os.environ.get("DATABASE_URL", "sqlite:///shop.db")
