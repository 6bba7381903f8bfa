"""The project model: package roots, relative imports, the import graph."""

from __future__ import annotations

import ast
import os
from pathlib import Path

import pytest

from flake8_backend_guard import project
from helpers import write_tree


@pytest.fixture(autouse=True)
def _fresh_caches() -> None:
    project.clear_caches()


def test_module_info(tmp_path: Path) -> None:
    """Top-level package, module and package names from directories."""
    write_tree(tmp_path, {"src/app/__init__.py": "", "src/app/api/__init__.py": "",
                          "src/app/api/routes.py": "", "script.py": ""})
    info = project.module_info(str(tmp_path / "src/app/api/routes.py"))
    assert (info.in_package, info.top_name, info.module, info.package) == (
        True, "app", "app.api.routes", "app.api")
    init = project.module_info(str(tmp_path / "src/app/api/__init__.py"))
    assert (init.module, init.package, init.is_init) == ("app.api", "app.api", True)
    script = project.module_info(str(tmp_path / "script.py"))
    assert not script.in_package
    assert not project.module_info("stdin").in_package


def test_relative_resolution(tmp_path: Path) -> None:
    """resolve_relative and relative_module are inverse views."""
    write_tree(tmp_path, {"app/__init__.py": "", "app/api/__init__.py": "",
                          "app/api/routes.py": ""})
    info = project.module_info(str(tmp_path / "app/api/routes.py"))
    assert project.resolve_relative(info, 1, "deps") == "app.api.deps"
    assert project.resolve_relative(info, 2, "db.models") == "app.db.models"
    assert project.resolve_relative(info, 2, None) == "app"
    assert project.resolve_relative(info, 3, None) is None
    assert project.relative_module(info, "app.db.models") == "..db.models"
    assert project.relative_module(info, "app.api.deps") == ".deps"
    assert project.relative_module(info, "app") == ".."


def test_strongly_connected() -> None:
    """Tarjan's components: cycles share a component, the rest are alone."""
    graph = {"a": ["b"], "b": ["c"], "c": ["a"], "d": ["a"], "e": []}
    comp = project.strongly_connected(graph)
    assert comp["a"] == comp["b"] == comp["c"]
    assert len({comp["a"], comp["d"], comp["e"]}) == 3


def test_long_chain_is_iterative() -> None:
    """A 20,000-module chain does not recurse."""
    graph = {f"m{i}": [f"m{i + 1}"] for i in range(20000)}
    graph["m20000"] = ["m0"]
    comp = project.strongly_connected(graph)
    assert len(set(comp.values())) == 1


def test_symlink_loop_and_unreadable(tmp_path: Path) -> None:
    """Symlink loops are not followed; unparsable files are skipped."""
    write_tree(tmp_path, {"app/__init__.py": "", "app/a.py": "from . import b\n",
                          "app/b.py": "from . import a\n", "app/bad.py": "def (:\n"})
    os.symlink(tmp_path / "app", tmp_path / "app" / "loop")
    (tmp_path / "app" / "nul.py").write_bytes(b"x = 1\x00\n")
    info = project.module_info(str(tmp_path / "app/a.py"))
    graph = project.import_graph(info)
    assert "app.loop.a" not in graph.files
    assert graph.edges["app.a"] == ["app.b"]
    assert graph.edges["app.bad"] == []


@pytest.mark.parametrize("broken", [False, True])
def test_cycle_through_a_module_broken_after_its_imports(
    tmp_path: Path, broken: bool
) -> None:
    """The graph reads imports from a prefix of each module, yet a module that
    does not parse as a whole still has no edges (it is parsed whole when it
    closes a cycle)."""
    from flake8_backend_guard.engine import check_source

    tail = "def oops(:\n    pass\n" if broken else "def fine():\n    pass\n"
    write_tree(tmp_path, {
        "pkg/__init__.py": "",
        "pkg/a.py": "from . import b\n\nX = 1\n",
        "pkg/b.py": "from . import a\n\nY = 2\n\n\n" + tail,
    })
    path = tmp_path / "pkg" / "a.py"
    codes = [f.code for f in check_source(path.read_text(), str(path), select=["BG105"])]
    assert codes == ([] if broken else ["BG105"])


_LAZY_MODULE = '''"""Doc: import nothing here."""
import os


def helper():
    import json  # runs later, not at import time
    return json


@decorate
class Model:
    import typing

    def method(self):
        from . import sibling
        return sibling
'''


@pytest.mark.parametrize(
    "tail, last_import",
    [
        ("", "import os"),  # every later import is inside a def or class
        ("try:\n    import yaml\nexcept ImportError:\n    yaml = None\n", "import yaml"),
        ("if True:\n    pass\nelse:\n    from x import y\n", "from x import y"),
        ("def f(): import zlib\n", "import os"),
        ("x = 1; import gzip\n", "import gzip"),
        ("async def g():\n    import asyncio\n", "import os"),
        # the script-only block does not run when the module is imported
        ('if __name__ == "__main__":\n    import argparse\n', "import os"),
        ("if '__main__' == __name__: import argparse\n", "import os"),
        # ... but its ``else`` block does
        ('if __name__ == "__main__":\n    pass\nelse:\n    import atexit\n', "import atexit"),
    ],
)
def test_imports_prefix_stops_after_the_last_import_that_runs_at_import_time(
    tail: str, last_import: str
) -> None:
    text = _LAZY_MODULE + tail + "\nVALUE = 1\n"
    end = project._imports_prefix(text)
    prefix = text[:end]
    assert last_import in prefix
    assert "VALUE = 1" not in prefix
    whole = project._runtime_module_imports(ast.parse(text).body)
    part = project._runtime_module_imports(ast.parse(prefix).body)
    assert [_dump(n) for n in whole] == [_dump(n) for n in part]


@pytest.mark.parametrize(
    "closing, cycle",
    [
        ('if __name__ == "__main__":\n    from pkg import a\n', False),
        ('if "__main__" == __name__:\n    from pkg import a\n', False),
        ('if __name__ == "__main__":\n    pass\nelse:\n    from pkg import a\n', True),
        ('if __name__ != "__main__":\n    from pkg import a\n', True),
        ('if __name__ == "__main__" or DEBUG:\n    from pkg import a\n', True),
        ("from pkg import a\n", True),
    ],
)
def test_a_script_only_import_closes_no_cycle(
    tmp_path: Path, closing: str, cycle: bool
) -> None:
    """An import in the ``if __name__ == "__main__":`` body never runs when the
    module is imported, so it is no edge of an import cycle."""
    write_tree(tmp_path, {
        "pkg/__init__.py": "",
        "pkg/a.py": "from pkg import b\n\nX = 1\n",
        "pkg/b.py": "Y = 2\n\n\n" + closing + "\nZ = 3\n",
    })
    assert bool(_bg105(tmp_path / "pkg" / "a.py")) is cycle
    project.clear_caches()
    assert bool(_bg105(tmp_path / "pkg" / "b.py")) is cycle


def test_imports_prefix_is_empty_when_every_import_is_in_a_def() -> None:
    assert project._imports_prefix("def f():\n    import os\n\n\nX = 1\n") == 0


def _dump(node: ast.AST) -> str:
    return ast.dump(node, include_attributes=True)


def _count_reads(monkeypatch: pytest.MonkeyPatch) -> list:
    """Record the path of every module file the import graph parses."""
    read: list = []
    real = project._parse_imports

    def counting(path: str):  # type: ignore[no-untyped-def]
        read.append(os.path.basename(path))
        return real(path)

    monkeypatch.setattr(project, "_parse_imports", counting)
    return read


def _bg105(path: Path, text: str = "") -> list:
    from flake8_backend_guard.engine import check_source

    source = text or path.read_text()
    return [f.message for f in check_source(source, str(path), select=["BG105"])]


def test_graph_reads_only_the_modules_a_checked_file_reaches(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A checked file that is the file on disk is not read again, and modules
    its imports do not reach are never read."""
    write_tree(tmp_path, {
        "pkg/__init__.py": "",
        "pkg/a.py": "from . import b\n",
        "pkg/b.py": "from . import c\n",
        "pkg/c.py": "import os\n",
        "pkg/d.py": "from . import c\n",
        "pkg/e.py": "from . import a\n",
    })
    read = _count_reads(monkeypatch)
    assert _bg105(tmp_path / "pkg" / "a.py") == []
    assert sorted(read) == ["b.py", "c.py"]
    assert _bg105(tmp_path / "pkg" / "e.py") == []  # reaches a, b, c: all known
    assert sorted(read) == ["b.py", "c.py"]
    graph = project.import_graph(project.module_info(str(tmp_path / "pkg" / "a.py")))
    assert graph.edges == {  # asking for all edges reads the rest
        "pkg": [], "pkg.a": ["pkg.b"], "pkg.b": ["pkg.c"], "pkg.c": [],
        "pkg.d": ["pkg.c"], "pkg.e": ["pkg.a"],
    }


def test_components_found_for_one_file_serve_the_next(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    write_tree(tmp_path, {
        "pkg/__init__.py": "",
        "pkg/a.py": "from . import b\n",
        "pkg/b.py": "from . import c\n",
        "pkg/c.py": "from . import a\n",
    })
    read = _count_reads(monkeypatch)
    cycle = ["import cycle: pkg.{} -> pkg.{} -> pkg.{} -> pkg.{}".format(*names)
             for names in ("abca", "bcab", "cabc")]
    for name, expected in zip("abc", cycle):
        messages = _bg105(tmp_path / "pkg" / f"{name}.py")
        assert [m.split(";")[0] for m in messages] == [expected]
    assert sorted(read) == ["b.py", "c.py"]  # each read once, a never


def test_unsaved_buffer_edges_do_not_leak_into_the_graph(tmp_path: Path) -> None:
    """A buffer whose imports differ from its file on disk is judged by the
    buffer's imports; the next file is still judged by the disk."""
    write_tree(tmp_path, {
        "pkg/__init__.py": "",
        "pkg/a.py": "from . import b\n",
        "pkg/b.py": "from . import a\n",
        "pkg/c.py": "from . import a\n",
    })
    buffer = _bg105(tmp_path / "pkg" / "a.py", "from . import c\n")
    assert [m.split(";")[0] for m in buffer] == ["import cycle: pkg.a -> pkg.c -> pkg.a"]
    disk = _bg105(tmp_path / "pkg" / "b.py")
    assert [m.split(";")[0] for m in disk] == ["import cycle: pkg.b -> pkg.a -> pkg.b"]
    assert _bg105(tmp_path / "pkg" / "c.py") == []  # a imports b on disk, not c
