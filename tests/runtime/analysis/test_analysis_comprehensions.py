"""Comprehensions, generator expressions and assignment expressions.

A comprehension has its own scope: its loop variables are neither defs nor
refs, its first iterable is evaluated in the enclosing scope and everything
else in the comprehension scope. A walrus inside a comprehension binds in the
nearest enclosing non-comprehension scope: at the top level that is a def.
"""

from __future__ import annotations

import pytest
from analysis_cases import case, check

COMPREHENSIONS = [
    case("list-comprehension", "ys = [x for x in xs]", defs="ys", refs="xs"),
    case("comprehension-as-statement", "[x for x in xs]", refs="xs"),
    case("comprehension-free-name", "ys = [x * factor for x in xs]", defs="ys", refs="factor xs"),
    case("comprehension-call-iterable", "ys = [x for x in range(n)]", defs="ys", refs="range n"),
    case("set-comprehension", "s = {x for x in data if x > threshold}", defs="s", refs="data threshold"),
    case("dict-comprehension", "m = {k: v for k, v in pairs.items()}", defs="m", refs="pairs"),
    case("generator-expression", "g = (x for x in source)", defs="g", refs="source"),
    case("generator-as-argument", "total = sum(x * w for x in xs)", defs="total", refs="sum w xs"),
    case("two-for-clauses", "ys = [y for x in xs for y in x]", defs="ys", refs="xs"),
    case("two-for-clauses-global-second", "ys = [(x, y) for x in xs for y in other]", defs="ys", refs="xs other"),
    case("nested-comprehension", "flat = [[j for j in row] for row in matrix]", defs="flat", refs="matrix"),
    case("nested-comprehension-free", "m = [[i * j * k for j in cols] for i in rows]", defs="m", refs="cols rows k"),
    case("loop-var-does-not-leak", "ys = [x for x in xs]\nprint(x)", defs="ys", refs="xs print x"),
    case("loop-var-shadows-global-def", "x = 5\nys = [x for x in range(x)]", defs="x ys", refs="range"),
    case("comprehension-over-own-def", "x = [1]\nx = [x for x in x]", defs="x"),
    case("tuple-loop-target", "s = [a + b for a, b in pairs]", defs="s", refs="pairs"),
    case("starred-loop-target", "s = [rest for first, *rest in rows]", defs="s", refs="rows"),
    case("multiple-conditions", "s = [x for x in xs if x if pred(x)]", defs="s", refs="xs pred"),
    case("comprehension-in-function-local-iterable", "def f(items):\n    return [i for i in items]", defs="f"),
    case(
        "comprehension-in-function-global-condition",
        "def f(items):\n    return [i for i in items if i in allowed]",
        defs="f",
        refs="allowed",
    ),
    case(
        "comprehension-reads-function-local",
        "def f(items):\n    k = 2\n    return {i: i * k for i in items}",
        defs="f",
    ),
    case("comprehension-with-lambda", "fs = [lambda y: y + x + z for x in xs]", defs="fs", refs="xs z"),
    case("comprehension-inside-lambda", "f = lambda xs: [x + bias for x in xs]", defs="f", refs="bias"),
    case("async-comprehension-top-level", "ys = [x async for x in agen()]", defs="ys", refs="agen"),
    case("await-in-comprehension-top-level", "ys = [await fetch(u) for u in urls]", defs="ys", refs="fetch urls"),
    case(
        "comprehension-first-iterable-refers-to-outer-loop-var",
        "out = [[c for c in word] for word in words]",
        defs="out",
        refs="words",
    ),
    case(
        "three-levels",
        "cube = [[[i + j + k + base for k in range(2)] for j in range(2)] for i in range(2)]",
        defs="cube",
        refs="range base",
    ),
    case("genexp-in-call-with-kwargs", "result = max((v for v in values), key=keyfn)", defs="result", refs="max values keyfn"),
    case("comprehension-reads-later-cell-def", "ys = [f(x) for x in xs]\ndef f(v):\n    return v", defs="ys f", refs="xs"),
    case("first-iterable-same-name-as-loop-var", "ys = [x for x in x]", defs="ys", refs="x"),
    case("comprehension-in-first-iterable", "ys = [x for x in [y for y in src]]", defs="ys", refs="src"),
    case("nested-inner-iterable-global", "ys = [[y for y in inner] for x in outer]", defs="ys", refs="inner outer"),
    case("lambda-default-in-comprehension-sees-loop-var", "fs = [lambda v=x: v for x in xs]", defs="fs", refs="xs"),
]

WALRUS = [
    case("walrus-top-level", "(y := f())", defs="y", refs="f"),
    case("walrus-in-call", "print(y := 5)", defs="y", refs="print"),
    case("walrus-in-if", "if (n := len(a)) > 10:\n    pass", defs="n", refs="len a"),
    case("walrus-in-while", "while (line := read()):\n    handle(line)", defs="line", refs="read handle"),
    case("walrus-reused-later", "if (m := match_it()):\n    print(m)\nz = m", defs="m z", refs="match_it print"),
    case("walrus-in-comprehension-element", "ys = [y := f(x) for x in xs]", defs="ys y", refs="f xs"),
    case("walrus-in-comprehension-condition", "ys = [x for x in xs if (last := x)]", defs="ys last", refs="xs"),
    case("walrus-in-generator", "found = any((hit := x) > 3 for x in xs)", defs="found hit", refs="any xs"),
    case("walrus-in-nested-comprehension", "zs = [[(z := a) for a in row] for row in m]", defs="zs z", refs="m"),
    case("walrus-in-dict-comprehension", "d = {k: (v := k * 2) for k in keys}", defs="d v", refs="keys"),
    case("walrus-in-comprehension-in-function-is-local", "def f(xs):\n    return [y := x for x in xs]", defs="f"),
    case("walrus-in-comprehension-in-lambda-is-local", "f = lambda: [(q := i) for i in range(3)]", defs="f", refs="range"),
    case("walrus-in-default-comprehension", "def f(a=[(w := i) for i in range(2)]):\n    pass", defs="f w", refs="range"),
    case("walrus-in-function-default", "def f(a=(b := 1)):\n    return a", defs="f b"),
    case("walrus-in-fstring", 'msg = f"{(count := 3)} items"', defs="msg count"),
    case("walrus-in-comprehension-then-read", "ys = [y := x for x in xs]\nprint(y)", defs="ys y", refs="xs print"),
    case("walrus-in-subscript", "v = data[(i := index())]", defs="v i", refs="data index"),
    case(
        "walrus-nested-comprehension-in-function-with-global",
        "def f(m):\n    global z\n    return [[(z := a) for a in row] for row in m]",
        defs="f z",
    ),
]


@pytest.mark.parametrize(("code", "defs", "refs"), COMPREHENSIONS)
def test_comprehensions(code, defs, refs):
    check(code, defs, refs)


@pytest.mark.parametrize(("code", "defs", "refs"), WALRUS)
def test_walrus(code, defs, refs):
    check(code, defs, refs)
