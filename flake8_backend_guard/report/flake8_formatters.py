"""flake8 formatters ``bg-json`` and ``bg-sarif`` (work in progress: plain output)."""

from __future__ import annotations

from flake8.formatting.default import Default


class JsonFormatter(Default):
    """Placeholder until the JSON serializer lands."""


class SarifFormatter(Default):
    """Placeholder until the SARIF serializer lands."""
