"""flake8 formatters ``--format=bg-json`` and ``--format=bg-sarif``.

flake8 has no JSON or SARIF output of its own. These formatters collect every
violation flake8 reports (BG codes and any other plugin's, such as ``E501`` or
``F401``) and write one document when flake8 stops, using the same serializers
as ``backend-guard check --output-format json|sarif``.
"""

from __future__ import annotations

import json
import os
from typing import Any, List, Optional

from flake8.formatting.base import BaseFormatter

from .. import __version__
from ..rule import all_rules
from . import INFORMATION_URI, Diagnostic, ReportContext, json_report, sarif


def _clean_path(filename: str) -> str:
    while filename.startswith("./"):
        filename = filename[2:]
    return filename


class _CollectingFormatter(BaseFormatter):
    """Collect violations and write one document at the end of the run."""

    def after_init(self) -> None:
        """Start with no violations."""
        self.diagnostics: List[Diagnostic] = []

    def start(self) -> None:
        """Open ``--output-file`` for writing (replacing it: one document per run)."""
        if self.filename:
            directory = os.path.dirname(os.path.abspath(self.filename))
            os.makedirs(directory, exist_ok=True)
            self.output_fd = open(self.filename, "w", encoding="utf-8")

    def handle(self, error: Any) -> None:
        """Record one violation.

        Args:
            error: flake8's ``Violation`` (1-based line and column).
        """
        physical = error.physical_line
        source = physical.rstrip("\r\n") if isinstance(physical, str) else None
        self.diagnostics.append(
            Diagnostic(
                path=_clean_path(error.filename),
                code=error.code,
                message=error.text,
                line=error.line_number,
                col=max(error.column_number - 1, 0),
                source_line=source,
            )
        )

    def format(self, error: Any) -> Optional[str]:
        """Return nothing per violation: the document is written at the end.

        Args:
            error: flake8's ``Violation``.

        Returns:
            None.
        """
        return None

    def show_statistics(self, statistics: Any) -> None:
        """Write nothing: statistics would break the document.

        Args:
            statistics: flake8's statistics.
        """

    def show_benchmarks(self, benchmarks: Any) -> None:
        """Write nothing: benchmarks would break the document.

        Args:
            benchmarks: flake8's benchmarks.
        """

    def render(self) -> str:
        """Return the whole document.

        Returns:
            The serialized violations.

        Raises:
            NotImplementedError: In the base class.
        """
        raise NotImplementedError

    def stop(self) -> None:
        """Write the document, then close the output file."""
        self._write(self.render().rstrip("\n"))
        super().stop()


class JsonFormatter(_CollectingFormatter):
    """``flake8 --format=bg-json``: a JSON array like ``backend-guard`` writes."""

    def render(self) -> str:
        """Return the violations as a JSON array.

        Returns:
            The JSON text.
        """
        return json_report.serialize(
            self.diagnostics, ReportContext(version=__version__)
        )


class SarifFormatter(_CollectingFormatter):
    """``flake8 --format=bg-sarif``: a SARIF 2.1.0 log with every BG rule described."""

    def render(self) -> str:
        """Return the violations as a SARIF 2.1.0 document.

        Returns:
            The JSON text.
        """
        import flake8

        log = sarif.sarif_log(
            self.diagnostics,
            all_rules(),
            flake8.__version__,
            tool_name="flake8",
            information_uri="https://flake8.pycqa.org/",
        )
        log["runs"][0]["tool"]["extensions"] = [
            {
                "name": "flake8-backend-guard",
                "version": __version__,
                "informationUri": INFORMATION_URI,
            }
        ]
        return json.dumps(log, indent=2)
