"""Names starting with ``_`` (``_``, ``_x``, dunders) are private to their cell:
never defs, never refs, whatever binds or reads them.
"""

from __future__ import annotations

import pytest
from analysis_cases import case, check

from kernels.runtime.analysis import analyze_cell

PRIVATE = [
    case("private-assign", "_x = 1"),
    case("private-assign-reads-public", "_x = value", refs="value"),
    case("private-read", "y = _x", defs="y"),
    case("underscore-read", "print(_)", refs="print"),
    case("underscore-assign", "_ = compute()", refs="compute"),
    case("dunder-read", "name = __name__", defs="name"),
    case("dunder-assign", '__all__ = ["a"]'),
    case("dunder-import-builtin", 'os = __import__("os")', defs="os"),
    case("dunder-file-and-doc", "info = (__file__, __doc__, __builtins__)", defs="info"),
    case("private-import", "import _thread"),
    case("private-import-as", "import numpy as _np"),
    case("private-from-import", "from m import _helper"),
    case("from-import-private-as-public", "from m import _x as y", defs="y"),
    case("from-private-module", "from _private import thing", defs="thing"),
    case("private-def", "def _helper():\n    return z", refs="z"),
    case("private-class", "class _Hidden(Base):\n    x = y", refs="Base y"),
    case("private-lambda", "_f = lambda: g", refs="g"),
    case("underscore-loop-var", "for _ in range(3):\n    pass", refs="range"),
    case("private-unpack", "a, _b, *_rest = seq", defs="a", refs="seq"),
    case("private-augmented", "_count += 1"),
    case("private-annotation", "_x: Foo = 1", refs="Foo"),
    case("private-del", "del _x"),
    case("private-with", "with ctx() as _c:\n    pass", refs="ctx"),
    case("private-walrus", "if (_n := size()):\n    pass", refs="size"),
    case("private-walrus-in-comprehension", "ys = [_last := x for x in xs]", defs="ys", refs="xs"),
    case("private-global-in-function", "def f():\n    global _state\n    _state = 1", defs="f"),
    case("private-global-read-in-function", "def f():\n    global _state\n    return _state", defs="f"),
    case("private-free-name-in-function", "def f():\n    return _cache", defs="f"),
    case("private-match-capture", "match v:\n    case [_a, b]:\n        pass", defs="b", refs="v"),
    case("private-match-as", "match v:\n    case Point() as _p:\n        pass", refs="v Point"),
    case("private-decorator", "@_register\ndef f():\n    pass", defs="f"),
    case("private-default", "def f(x=_DEFAULT):\n    return x", defs="f"),
    case("private-base", "class C(_Base):\n    pass", defs="C"),
    case("private-in-fstring", 'msg = f"{_secret}"', defs="msg"),
    case("class-dunder-in-method", "class C:\n    def m(self):\n        return __class__", defs="C"),
    case("private-mixed-with-public", "_tmp = load()\nresult = clean(_tmp)", defs="result", refs="load clean"),
]


@pytest.mark.parametrize(("code", "defs", "refs"), PRIVATE)
def test_private_names(code, defs, refs):
    check(code, defs, refs)


@pytest.mark.parametrize(
    "code",
    [
        "_ = 1",
        "_a = 1\n_b = _a\n__c__ = _b",
        "def _f():\n    return _g\nclass _K:\n    pass",
        "import _x, _y.z as _w",
    ],
)
def test_only_private_names_give_empty_analysis(code):
    result = analyze_cell(code)
    assert result.error is None
    assert result.defs == frozenset()
    assert result.refs == frozenset()
