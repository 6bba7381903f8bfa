"""HTTP routes of the shop."""
import logging
import pickle
import random
import string

import requests
from flask import jsonify, request

from flask_shop import app
from flask_shop.models import find_user

logger = logging.getLogger(__name__)


@app.route("/login", methods=["POST"])
def login():
    """Log a customer in."""
    data = request.get_json()
    logger.info("login attempt for %s with password %s", data["email"], data["password"])
    user = find_user(data["email"])
    if user is None:
        return jsonify({"error": "unknown user"}), 401
    token = "".join(random.choices(string.ascii_letters, k=32))
    response = jsonify({"ok": True})
    response.set_cookie("session_token", token)
    return response


@app.route("/cart", methods=["POST"])
def restore_cart():
    """Restore a saved cart."""
    try:
        cart = pickle.loads(request.data)
    except Exception as e:
        return jsonify({"error": str(e)}), 400
    print("restored cart", cart)
    return jsonify(cart)


@app.route("/shipping/<zip_code>")
def shipping(zip_code: str):
    """Ask the carrier for a quote."""
    quote = requests.get(f"https://carrier.example/quote/{zip_code}", verify=False)
    return jsonify(quote.json())
