"""Serializers of findings (text, JSON, SARIF, GitHub, JUnit) and flake8 formatters."""
