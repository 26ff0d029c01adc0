"""Shared helpers for the analysis case tables: one case per line, checked one way."""

from __future__ import annotations

from textwrap import dedent

import pytest

from kernels.runtime.analysis import analyze_cell


def case(case_id: str, code: str, defs: str = "", refs: str = ""):
    """A parametrized case: the cell's code and its expected defs and refs (space-separated)."""
    return pytest.param(dedent(code).strip("\n"), defs, refs, id=case_id)


def check(code: str, defs: str, refs: str) -> None:
    """Assert the cell parses cleanly and defines and reads exactly the given names."""
    result = analyze_cell(code)
    assert result.error is None, f"unexpected error: {result.error!r}"
    got = {"defs": sorted(result.defs), "refs": sorted(result.refs)}
    assert got == {"defs": sorted(defs.split()), "refs": sorted(refs.split())}
