"""The shop application."""
from flask import Flask

from flask_shop.config import Config

app = Flask(__name__)
app.config.from_object(Config)

from . import routes  # noqa: E402,F401  (registers the routes)
