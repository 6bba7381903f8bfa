"""Unit tests for the docstring parser and the function facts behind BG302 to BG307."""

from __future__ import annotations

import ast
import textwrap

import pytest

from flake8_backend_guard.analysis.docstrings import (
    body_facts,
    documented_by_annotation,
    iterator_annotation,
    parse_docstring,
    raised_names,
    returns_nothing_annotation,
    yields_nothing_annotation,
)
from flake8_backend_guard.context import FileContext
from flake8_backend_guard.options import build_config
from helpers import check

CODES = ("BG301", "BG302", "BG303", "BG304", "BG305", "BG306", "BG307")

GOOGLE = """Fetch rows.

    Longer description. Note: a colon in prose is not a section.

    Args:
        table (str): The table.
        limit: How many
            rows, at most.
        *args: Extra columns.
        \\*\\*kwargs: Passed on.

    Keyword Args:
        timeout (float): Seconds.

    Returns:
        The rows.

    Yields:
        Nothing really.

    Raises:
        ValueError: If the table is unknown.
        db.errors.Timeout: When it takes too long.
        KeyError, TypeError: Sometimes.
        :exc:`PermissionError`: When denied.
    """


def test_google_sections() -> None:
    """Google sections, entries, star spellings and exception names."""
    doc = parse_docstring(GOOGLE, "google")
    assert doc.params == {"table", "limit", "args", "kwargs"}
    assert doc.keyword_params == {"timeout"}
    assert doc.has_returns and doc.has_yields and doc.has_raises
    assert set(doc.raises) == {
        "ValueError",
        "db.errors.Timeout",
        "KeyError",
        "TypeError",
        "PermissionError",
    }


def test_google_summary_only_documents_nothing() -> None:
    """A one-line docstring has no sections."""
    doc = parse_docstring("Return the user.", "google")
    assert not doc.documented and not doc.has_returns and not doc.has_raises


def test_google_ignores_other_styles() -> None:
    """The configured style only: Sphinx fields do not count in Google mode."""
    doc = parse_docstring("Do.\n\n:param x: X.\n:returns: Y.\n", "google")
    assert not doc.params and not doc.has_returns


def test_google_aliases_and_inline_returns() -> None:
    """``Arguments:``/``Parameters:`` and ``Returns: text`` on the header line."""
    doc = parse_docstring(
        "Do.\n\nArguments:\n    a: A.\n\nParameters:\n    b: B.\n\nReturns: The sum.\n"
    )
    assert doc.params == {"a", "b"} and doc.has_returns


def test_google_attributes_are_not_params() -> None:
    """``Attributes:`` entries are kept apart (class docstrings use them)."""
    doc = parse_docstring("A.\n\nAttributes:\n    name: The name.\n")
    assert not doc.params and doc.attributes == {"name"}


NUMPY = """Fit the model.

Parameters
----------
x, y : array_like
    Data.
*args
    Extra.
weights : dict, optional
    Per-row weights: a mapping.

Other Parameters
----------------
verbose : bool
    Talk.

Returns
-------
Model
    Fitted.

Raises
------
ValueError
    If x is empty.
LinAlgError
    If singular.
"""


def test_numpy_sections() -> None:
    """NumPy underlined sections, grouped names and raises."""
    doc = parse_docstring(NUMPY, "numpy")
    assert doc.params == {"x", "y", "args", "weights"}
    assert doc.keyword_params == {"verbose"}
    assert doc.has_returns and not doc.has_yields
    assert doc.raises == ("ValueError", "LinAlgError")


SPHINX = """Send it.

:param str url: Where.
:param Optional[Dict[str, int]] headers: Headers.
:param \\*\\*kwargs: Passed on.
:type url: str
:keyword timeout: Seconds.
:returns: The response.
:raises ~requests.exceptions.Timeout: On timeout.
:raises ValueError, TypeError: On bad input.
:raises: KeyError if missing.
"""


def test_sphinx_fields() -> None:
    """Sphinx fields with types, roles and tildes."""
    doc = parse_docstring(SPHINX, "sphinx")
    assert doc.params == {"url", "headers", "kwargs"}
    assert doc.keyword_params == {"timeout"}
    assert doc.has_returns
    assert doc.raises == (
        "requests.exceptions.Timeout",
        "ValueError",
        "TypeError",
        "KeyError",
    )


def test_sphinx_rtype_counts_as_returns() -> None:
    """``:rtype:`` documents the return value."""
    assert parse_docstring("X.\n\n:rtype: int\n", "sphinx").has_returns


def _func(source: str) -> "tuple[FileContext, ast.FunctionDef]":
    source = textwrap.dedent(source)
    tree = ast.parse(source)
    ctx = FileContext(tree, "x.py", source.splitlines(True), build_config({}))
    func = next(n for n in ast.walk(tree) if isinstance(n, ast.FunctionDef))
    return ctx, func


def test_body_facts_ignore_nested_functions() -> None:
    """Returns, yields and raises of nested functions are theirs."""
    ctx, func = _func("""
        def outer():
            def inner():
                yield 1
                raise ValueError()
            class Local:
                def method(self):
                    return 2
            return None
        """)
    facts = body_facts(ctx, func)
    assert not facts.returns_value and not facts.is_generator
    assert raised_names(ctx, func) == []


def test_raised_names_rules() -> None:
    """What counts as raising by name, and what escapes."""
    ctx, func = _func("""
        def f(err, factory):
            try:
                raise KeyError("caught")
            except LookupError:
                pass
            try:
                raise TypeError("re-raised")
            except TypeError:
                raise
            if err:
                raise err
            exc = factory()
            raise exc
            raise factory()
            raise NOT_FOUND
            raise errors.Missing("x")
            raise PermissionError
            raise ValueError("x") from None
            raise PermissionError()
        """)
    assert raised_names(ctx, func) == [
        "TypeError",
        "errors.Missing",
        "PermissionError",
        "ValueError",
    ]


def test_stub_not_implemented_is_not_judged() -> None:
    """``raise NotImplementedError`` as the whole body is a stub, not an error."""
    ctx, func = _func('def f():\n    """Doc."""\n    raise NotImplementedError\n')
    assert raised_names(ctx, func) == []
    ctx, func = _func("def f(x):\n    if x:\n        raise NotImplementedError(x)\n")
    assert raised_names(ctx, func) == ["NotImplementedError"]


@pytest.mark.parametrize(
    "annotation, nothing",
    [
        ("None", True),
        ("'None'", True),
        ("NoReturn", True),
        ("t.NoReturn", True),
        ("typing.Never", True),
        ("int", False),
        ("Optional[int]", False),
    ],
)
def test_returns_nothing_annotation(annotation: str, nothing: bool) -> None:
    """``-> None``/``NoReturn``/``Never`` (also quoted) return nothing.

    Args:
        annotation: The annotation's source.
        nothing: Whether it means "returns nothing".
    """
    expr = ast.parse(annotation, mode="eval").body
    assert returns_nothing_annotation(expr) is nothing


def test_iterator_annotations() -> None:
    """Iterator types, and iterators of None."""
    parse = lambda text: ast.parse(text, mode="eval").body  # noqa: E731
    assert iterator_annotation(parse("Iterator[int]"))
    assert iterator_annotation(parse("t.AsyncGenerator[bytes, None]"))
    assert not iterator_annotation(parse("list[int]"))
    assert yields_nothing_annotation(parse("Iterator[None]"))
    assert yields_nothing_annotation(parse("Generator[None, None, None]"))
    assert not yields_nothing_annotation(parse("Iterator[int]"))


def test_pep727_doc_annotation() -> None:
    """``Annotated[T, Doc("...")]`` documents a parameter."""
    func = ast.parse('def f(x: Annotated[int, Doc("X.")], y: int): ...').body[0]
    assert isinstance(func, ast.FunctionDef)
    assert documented_by_annotation(func.args.args[0])
    assert not documented_by_annotation(func.args.args[1])


def _codes(source: str, path: str = "app/service.py", **options: object) -> list:
    return [
        (f.line, f.code)
        for f in check(source, path, select=CODES, **options)
        if f.code in CODES or f.code == "BG000"
    ]


def test_summary_only_docstring_of_function_with_parameters() -> None:
    """The issue: a summary-only docstring passes pydoclint and D417, not BG303."""
    source = '''
        """Users."""


        def get_user(user_id: int) -> None:
            """Fetch a user."""


        def version() -> None:
            """Print the version."""
    '''
    assert _codes(source) == [(5, "BG303")]


def test_style_option_changes_the_parser() -> None:
    """The same docstring passes in one style and fails in another."""
    source = '''
        """Users."""


        def get_user(user_id: int) -> dict:
            """Fetch a user.

            :param user_id: The id.
            :returns: The user.
            """
            return {}
    '''
    assert _codes(source, docstring_style="sphinx") == []
    assert _codes(source) == [(5, "BG303"), (5, "BG304")]


def test_init_without_docstring_uses_class_docstring() -> None:
    """Constructor parameters and raises belong in the class docstring."""
    source = '''
        """Clients."""


        class Client:
            """A client.

            Args:
                url: Base URL.

            Raises:
                ValueError: If the URL is empty.
            """

            def __init__(self, url: str) -> None:
                if not url:
                    raise ValueError("url")
    '''
    assert _codes(source) == []


def test_no_internal_errors_on_odd_shapes() -> None:
    """Lambdas, positional-only, match, walrus, nested classes: no BG000."""
    source = '''
        """Odd shapes."""
        import typing as t


        def f(a, /, b: int = 0, *, c, **kw) -> t.Iterator[None]:
            """F."""
            match a:
                case {"x": y}:
                    raise y
                case _:
                    pass
            if (n := len(kw)) > 1:
                yield
            g = lambda x: x  # noqa: E731


        class A:
            """A."""

            class B:
                def __init__(s, v):
                    raise
    '''
    findings = check(source, "app/odd.py", select=CODES)
    assert not [f for f in findings if f.code == "BG000"]


def test_except_exception_catches_imported_errors() -> None:
    """``except Exception`` swallows an imported exception class too."""
    ctx, func = _func(
        """
        def f():
            try:
                raise errors.Conflict("x")
            except Exception:
                return None
            try:
                raise SystemExit(2)
            except Exception:
                pass
        """
    )
    assert raised_names(ctx, func) == ["SystemExit"]
