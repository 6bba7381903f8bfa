"""Pytest configuration: make the test helpers importable and add ``--runslow``."""

from __future__ import annotations

import os
import sys

import pytest

sys.path.insert(0, os.path.dirname(__file__))


def pytest_addoption(parser: pytest.Parser) -> None:
    """Add ``--runslow`` (implied by CI=true or BG_RUN_SLOW=1)."""
    parser.addoption("--runslow", action="store_true", help="run slow tests")


def pytest_collection_modifyitems(config: pytest.Config, items: list) -> None:
    """Skip tests marked slow unless asked for."""
    if (
        config.getoption("--runslow")
        or os.environ.get("BG_RUN_SLOW") == "1"
        or os.environ.get("CI", "").lower() == "true"
    ):
        return
    skip = pytest.mark.skip(reason="slow: use --runslow (CI runs it)")
    for item in items:
        if "slow" in item.keywords:
            item.add_marker(skip)
