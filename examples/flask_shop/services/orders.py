"""Order processing (this directory has no __init__.py)."""
import os

from ..models import get_connection


def export_orders(customer: str) -> None:
    """Export a customer's orders with a shell tool."""
    os.system("pg_dump --table orders_" + customer)


def total(order_id: int) -> float:
    """Compute an order total."""
    expression = get_connection().execute("SELECT formula FROM orders").fetchone()[0]
    return eval(expression)
