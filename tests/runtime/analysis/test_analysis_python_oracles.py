"""Cross-check ``analyze_cell`` against Python itself.

1. ``symtable``: CPython's own scope analysis. For cells where the notebook
   decisions do not differ from plain Python, the cell's defs are the module
   symbols it binds (plus names declared ``global`` and bound in nested
   scopes) and its refs are the names it reads from the global scope, minus
   its defs. The corpus avoids what ``symtable`` cannot tell us, or tells
   differently from the notebook rules: top-level and class-level
   comprehensions (3.12+ inlines them into the enclosing table), ``except ...
   as``, ``del``, bare annotations, ``__future__`` imports and class-body
   reads before binding.
2. ``exec``: run self-contained cells in a fresh namespace; the public names
   they leave behind are exactly their defs, and every ref they have is a
   builtin (they ran without a ``NameError``).
"""

from __future__ import annotations

import builtins
import symtable
import sys
from textwrap import dedent

import pytest

from kernels.runtime.analysis import analyze_cell


def _public(names) -> set[str]:
    return {n for n in names if not n.startswith(("_", "."))}


def symtable_oracle(code: str) -> tuple[set[str], set[str]]:
    """(defs, refs) of a cell according to CPython's symbol table."""
    top = symtable.symtable(code, "<cell>", "exec")
    defs: set[str] = set()
    reads: set[str] = set()
    for sym in top.get_symbols():
        if sym.is_assigned() or sym.is_imported():
            defs.add(sym.get_name())
        if sym.is_referenced():
            reads.add(sym.get_name())
    pending = list(top.get_children())
    while pending:
        table = pending.pop()
        pending.extend(table.get_children())
        for sym in table.get_symbols():
            if sym.is_declared_global() and (sym.is_assigned() or sym.is_imported()):
                defs.add(sym.get_name())
            if sym.is_global() and sym.is_referenced():
                reads.add(sym.get_name())
    return _public(defs), _public(reads - defs)


SYMTABLE_CORPUS = [
    "x = 1",
    "y = x + 1",
    "a, (b, *c) = d",
    "a = b = c",
    "x = x + 1",
    "x += 1",
    "obj.attr = value",
    "d[k] = v",
    "x: int = 1",
    "import os.path\nimport numpy as np\nfrom a.b import c as e, f",
    "from . import sibling\nfrom ..pkg import thing as other",
    "for i, (k, v) in enumerate(items):\n    total += v",
    "with open(p) as fh, lock:\n    text = fh.read()",
    "while n:\n    n -= 1\nelse:\n    done = True",
    "if a:\n    b = 1\nelif c:\n    d = 2\nelse:\n    e = f",
    "print(len(data), sorted(data, key=str.lower))",
    'msg = f"{name!r:>{width}} {value=}"',
    "assert ok, message\nraise Error(msg) from cause",
    "def f(a, b=default, *args, c: C = kw_default, **kw) -> R:\n    return a + g(b) + free",
    "def f():\n    print(x)\n    x = 1",
    "def f():\n    n += 1",
    "def fact(n):\n    return 1 if n < 2 else n * fact(n - 1)",
    "def f():\n    return helper()\ndef helper():\n    return limit",
    "@app.route(path, methods=METHODS)\ndef view(request):\n    return render(request, template)",
    "@a\n@b(c)\nclass K(Base, metaclass=Meta):\n    x = 1\n    y = x + other",
    "f = lambda x, y=z: x + y + w",
    "f = lambda x: lambda y=x: y + z",
    "def f():\n    global x\n    x = 1",
    "def f():\n    global x\n    return x",
    "def f():\n    global a, b\n    a = b",
    "def setup():\n    global np\n    import numpy as np",
    "def f():\n    global g\n    def g():\n        return h",
    "def f():\n    def g():\n        global x\n        x = 1\n    g()\n    return x",
    "def f():\n    global x\n    def g():\n        return x\n    return g",
    "def counter():\n    count = 0\n    def inc():\n        nonlocal count\n        count += 1\n        return count\n    return inc",
    "def a():\n    x = 1\n    def b():\n        def c():\n            nonlocal x\n            x = y\n        return c\n    return b",
    "def f():\n    h = 1\n    def g():\n        return h + k\n    return g",
    "def f():\n    def g():\n        return h\n    h = 1\n    return g",
    "def f(items):\n    return [i * k for i in items if i in allowed]",
    "def f(m):\n    return {r: [c for c in row if c] for r, row in m.items()}",
    "def f(xs):\n    return [y := x for x in xs]",
    "def f(xs):\n    global last\n    return [last := x for x in xs]",
    "class C:\n    x = 1\n    y = x + 1\n    def m(self):\n        return x",
    "class C:\n    def m(self, v=DEFAULT):\n        return C, v, other",
    "class C:\n    k = 1\n    f = lambda self: k",
    "class C(B):\n    def m(self):\n        return super().m()",
    "class A:\n    x = 1\n    class B:\n        y = x",
    "def f():\n    v = 1\n    class C:\n        y = v\n        def m(self):\n            return v\n    return C",
    "def f():\n    class C:\n        v = 2\n        def m(self):\n            return v\n    return C",
    "def outer():\n    n = 1\n    class C:\n        def m(self):\n            return [i + n for i in self.items]\n    return C",
    "(y := f())\nprint(y)",
    "if (n := len(a)) > 10:\n    big = True",
    "def f(a=(b := 1)):\n    return a",
    "match v:\n    case [a, *rest]:\n        pass\n    case {'k': val, **others}:\n        pass\n    case Point(x=px) as p if px > limit:\n        pass\n    case Color.RED:\n        pass",
    "def f(v):\n    match v:\n        case [a, b]:\n            return a + b + c",
    # (symtable cannot take top-level await on every version: keep it in a function)
    "async def main():\n    result = await fetch(url)\n    async for item in stream():\n        items.append(item)\n    return result",
    "async def main():\n    async with connect() as conn:\n        return await conn.get(q)",
    "try:\n    import yaml\nexcept ImportError:\n    yaml = None\nfinally:\n    loaded = True",
    "_private = 1\npublic = _private + _other",
    "def _helper():\n    return __name__, value",
    "print = lambda *a: None\nprint(1)",
    "list = list(range(3))",
]

if sys.version_info >= (3, 12):
    SYMTABLE_CORPUS += [
        "def f[T: Bound](x: T) -> T:\n    return conv(x)",
        "class C[T](Base[T]):\n    def m(self, x: T) -> T:\n        return x",
        "type Alias[T] = list[T] | Other",
        "def outer():\n    def inner[T](x: T) -> T:\n        return x\n    return inner",
    ]


@pytest.mark.parametrize("code", SYMTABLE_CORPUS)
def test_matches_symtable(code):
    expected_defs, expected_refs = symtable_oracle(code)
    result = analyze_cell(code)
    assert result.error is None
    got = {"defs": sorted(result.defs), "refs": sorted(result.refs)}
    assert got == {"defs": sorted(expected_defs), "refs": sorted(expected_refs)}


@pytest.mark.parametrize(
    ("code", "defs", "refs"),
    [
        ("x = y", {"x"}, {"y"}),
        ("def f():\n    global g\n    g = h", {"f", "g"}, {"h"}),
        ("class C:\n    a = 1\n    def m(self):\n        return a", {"C"}, {"a"}),
        ("def f():\n    v = 1\n    def g():\n        return v + w\n    return g", {"f"}, {"w"}),
    ],
)
def test_symtable_oracle_itself(code, defs, refs):
    # Guards the oracle used above against misreading the symtable API.
    assert symtable_oracle(code) == (defs, refs)


# Self-contained cells: everything they read is a builtin or something they
# define, so they run in a fresh namespace.
RUNNABLE_CORPUS = [
    "x = 1\ny = x + 1",
    "a, (b, *c) = 1, (2, 3, 4)",
    "import os.path\nimport json as j\nfrom math import pi as PI, tau",
    "total = 0\nfor i, v in enumerate([1, 2]):\n    total += v",
    "n = 3\nwhile n:\n    n -= 1",
    "ys = [x * 2 for x in range(3)]\nzs = {k: v for k, v in zip('ab', ys)}",
    "ys = [last := x for x in range(3)]",
    "found = any((hit := x) > 1 for x in range(5))",
    "def f():\n    global made\n    made = 1\nf()",
    "class C:\n    attr = 1\n    def m(self):\n        return self.attr\nobj = C()",
    "try:\n    raise ValueError('x')\nexcept ValueError as e:\n    message = str(e)",
    "match [1, 2, 3]:\n    case [first, *rest]:\n        size = len(rest)",
    "match {'k': 1, 'extra': 2}:\n    case {'k': val, **others}:\n        pass",
    "from contextlib import nullcontext\nwith nullcontext(5) as five, nullcontext() as nothing:\n    pass",
    "_hidden = 1\nvisible = _hidden + 1",
    "f = lambda a, b=2: a + b\ng = f(1)",
    "x = 1\ndel x\nx = 2",
    "print = print\nlen = len",
    "list = list(range(3))",
    "if (n := len('abc')) > 2:\n    big = True",
    "class K:\n    global from_class\n    from_class = 1",
    "x: int = 5\ny: str",
]


@pytest.mark.parametrize("code", RUNNABLE_CORPUS)
def test_matches_execution(code):
    namespace: dict = {}
    exec(compile(code, "<cell>", "exec"), namespace)
    bound = _public(k for k in namespace if k != "__builtins__")
    result = analyze_cell(code)
    assert result.error is None
    assert sorted(result.defs) == sorted(bound)
    assert result.refs <= set(dir(builtins)), "a runnable cell can only need builtins"


def test_mixed_cell_handwritten_expectation():
    code = dedent(
        """
        import math
        def area(r):
            return math.pi * r ** 2 * scale
        class Shape:
            sides = 0
            def describe(self):
                return f"{sides} sides"
        areas = [area(r) for r in radii]
        """
    ).strip()
    result = analyze_cell(code)
    assert result.error is None
    assert result.defs == frozenset({"math", "area", "Shape", "areas"})
    assert result.refs == frozenset({"scale", "sides", "radii"})
