"""The rule modules, one per rule, grouped by family; importing this loads them all."""

import importlib
import pkgutil

from . import imports, security, style


def _load_all() -> None:
    for family in (imports, security, style):
        for module in pkgutil.iter_modules(family.__path__):
            importlib.import_module(f"{family.__name__}.{module.name}")


_load_all()
