"""The table of BG rules that overlap Ruff and Bandit rules, from the declarations."""

from __future__ import annotations

import re
from typing import List, Optional, Sequence, Tuple

from ..rule import Rule, all_rules

# Bandit's own ids are B1xx to B7xx; Ruff's bugbear ids are B0xx and B9xx.
_BANDIT_RE = re.compile(r"^B[1-7][0-9]{2}$")


def split_overlaps(overlaps: Sequence[str]) -> Tuple[List[str], List[str]]:
    """Split a rule's overlap ids into Ruff ids and Bandit ids.

    Args:
        overlaps: Ids as declared (``S608``, ``B608``, ``UP031``, ``T201``).

    Returns:
        (Ruff ids, Bandit ids), each in declaration order.
    """
    ruff = [o for o in overlaps if not _BANDIT_RE.match(o)]
    bandit = [o for o in overlaps if _BANDIT_RE.match(o)]
    return ruff, bandit


def ruff_overlap_table(
    rules: Optional[Sequence[Rule]] = None, link_prefix: Optional[str] = None
) -> str:
    """Return the Markdown table of BG rules that overlap Ruff or Bandit rules.

    The table is generated from each rule's ``overlaps`` declaration, so it is
    never out of date. Teams running both tools can ignore one side of each row
    to avoid double reports (Ruff ids go in Ruff's ``ignore``, BG codes in
    ``[tool.backend-guard] ignore``). Ids matching ``B1xx``-``B7xx`` are Bandit's;
    every other id (``S608``, ``UP031``, ``T201``, bugbear's ``B006``) is Ruff's.

    Args:
        rules: The rules to list (default: every declared rule).
        link_prefix: Where rule pages live relative to the document (``rules/``
            from ``docs/ruff.md``); None links to each rule's absolute URL.

    Returns:
        The Markdown table (a header and one row per overlapping rule; no final
        line break), or a one-line note when no rule declares an overlap.
    """
    chosen = list(all_rules() if rules is None else rules)
    rows = [
        "| BG rule | name | Ruff | Bandit |",
        "|---|---|---|---|",
    ]
    for rule in sorted(chosen, key=lambda r: r.code):
        if not rule.overlaps:
            continue
        ruff, bandit = split_overlaps(rule.overlaps)
        ruff_text = ", ".join(f"`{o}`" for o in ruff) or "-"
        bandit_text = ", ".join(f"`{o}`" for o in bandit) or "-"
        link = rule.url if link_prefix is None else f"{link_prefix}{rule.code}.md"
        rows.append(
            f"| [{rule.code}]({link}) | `{rule.name}` | {ruff_text} | {bandit_text} |"
        )
    if len(rows) == 2:
        return "No BG rule declares an overlap with Ruff or Bandit."
    return "\n".join(rows)
