"""``python -m flake8_backend_guard``: the standalone ``backend-guard`` command."""

from __future__ import annotations

import sys

from .cli import main

if __name__ == "__main__":
    sys.exit(main())
