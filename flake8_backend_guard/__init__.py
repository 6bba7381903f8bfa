"""flake8-backend-guard: backend standards for Flask, FastAPI and DB-API code.

An AST checker for flake8 (entry point ``BG``) and a standalone ``backend-guard``
command. BG1xx rules cover imports and package structure, BG2xx security, BG3xx
style, documentation and application structure.
"""

__version__ = "0.1.0"

__all__ = ["__version__"]
