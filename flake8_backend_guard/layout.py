"""Where a file sits in its package tree: package roots and module names.

Read from the file system only (``__init__.py`` files and the declared namespace
packages); cached per process. Kept free of AST code so that the standalone
command's cache can use it without loading the project model.
"""

from __future__ import annotations

import os
from dataclasses import dataclass
from typing import Dict, List, Tuple

NON_FILE_NAMES = frozenset({"stdin", "-", "<stdin>", "<unknown>", "<string>"})


@dataclass(frozen=True)
class ModuleInfo:
    """Where a file sits in its package tree.

    ``module`` is the dotted module name from the top-level package
    (``app.api.routes``; ``app.api`` for ``app/api/__init__.py``); ``package`` is
    the package relative imports start from. Outside a package both are derived
    from the file name alone and ``in_package`` is False.
    """

    path: str
    in_package: bool
    top_dir: str
    top_name: str
    module: str
    package: str
    is_init: bool
    parent_is_package: bool

    @property
    def package_parts(self) -> List[str]:
        """Return the dotted parts of the package relative imports start from."""
        return self.package.split(".") if self.package else []


_dir_cache: Dict[Tuple[str, Tuple[str, ...]], bool] = {}


def is_package_dir(directory: str, namespace_paths: Tuple[str, ...] = ()) -> bool:
    """Return True when ``directory`` is a package (cached per process).

    Args:
        directory: The directory to test.
        namespace_paths: Normalised absolute paths of directories declared as
            namespace packages (``bg-namespace-packages``).

    Returns:
        Whether ``directory`` holds an ``__init__.py`` or is a declared namespace
        package.
    """
    key = (directory, namespace_paths)
    cached = _dir_cache.get(key)
    if cached is None:
        cached = os.path.normcase(directory) in namespace_paths or os.path.isfile(
            os.path.join(directory, "__init__.py")
        )
        _dir_cache[key] = cached
    return cached


_info_cache: Dict[Tuple[str, Tuple[str, ...]], ModuleInfo] = {}


def module_info(filename: str, namespace_paths: Tuple[str, ...] = ()) -> ModuleInfo:
    """Return the :class:`ModuleInfo` of ``filename`` (a path or a display name).

    Args:
        filename: The file's path, or a display name such as ``stdin`` (which is
            never inside a package).
        namespace_paths: Normalised absolute paths of directories declared as
            namespace packages (``bg-namespace-packages``).

    Returns:
        Where the file sits in its package tree (cached per process).
    """
    key = (filename, namespace_paths)
    info = _info_cache.get(key)
    if info is None:
        info = _compute_module_info(filename, namespace_paths)
        _info_cache[key] = info
    return info


def _compute_module_info(filename: str, namespace_paths: Tuple[str, ...]) -> ModuleInfo:
    path = os.path.abspath(filename)
    stem = os.path.splitext(os.path.basename(path))[0]
    is_init = stem == "__init__"
    directory = os.path.dirname(path)
    if filename in NON_FILE_NAMES or not is_package_dir(directory, namespace_paths):
        parent = os.path.dirname(directory)
        return ModuleInfo(
            path=path,
            in_package=False,
            top_dir=directory,
            top_name="",
            module=stem,
            package="",
            is_init=is_init,
            parent_is_package=filename not in NON_FILE_NAMES
            and parent != directory
            and is_package_dir(parent, namespace_paths),
        )
    parts: List[str] = []
    top_dir = directory
    current = directory
    while is_package_dir(current, namespace_paths):
        parts.append(os.path.basename(current))
        top_dir = current
        parent = os.path.dirname(current)
        if parent == current:
            break
        current = parent
    parts.reverse()
    package = ".".join(parts)
    module = package if is_init else f"{package}.{stem}"
    return ModuleInfo(
        path=path,
        in_package=True,
        top_dir=top_dir,
        top_name=parts[0],
        module=module,
        package=package,
        is_init=is_init,
        parent_is_package=True,
    )


def clear_layout_caches() -> None:
    """Forget every cached directory and file fact (for tests)."""
    _dir_cache.clear()
    _info_cache.clear()
