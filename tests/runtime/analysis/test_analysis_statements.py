"""try/except/except*/finally, match statements, top-level async code and
PEP 695 type parameters (version dependent: a syntax error before 3.12).
"""

from __future__ import annotations

import sys
from textwrap import dedent

import pytest
from analysis_cases import case, check

from kernels.runtime.analysis import analyze_cell

TRY_EXCEPT = [
    case(
        "except-as-is-not-a-def",
        "try:\n    risky()\nexcept ValueError as e:\n    print(e)",
        refs="risky ValueError print",
    ),
    case(
        "except-as-used-in-handler",
        "try:\n    pass\nexcept ValueError as e:\n    msg = str(e)",
        defs="msg",
        refs="ValueError str",
    ),
    case(
        "except-tuple-of-types",
        "try:\n    pass\nexcept (ValueError, TypeError) as err:\n    log(err)",
        refs="ValueError TypeError log",
    ),
    case("except-without-name", "try:\n    pass\nexcept KeyError:\n    pass", refs="KeyError"),
    case("bare-except", "try:\n    x = 1\nexcept:\n    x = 2", defs="x"),
    case("except-attribute-type", "try:\n    pass\nexcept errors.Timeout as t:\n    retry(t)", refs="errors retry"),
    case(
        "except-name-bound-elsewhere-is-def",
        "e = None\ntry:\n    pass\nexcept ValueError as e:\n    pass",
        defs="e",
        refs="ValueError",
    ),
    case(
        "except-name-bound-in-else",
        "try:\n    pass\nexcept ValueError as e:\n    pass\nelse:\n    e = 0",
        defs="e",
        refs="ValueError",
    ),
    case(
        "except-name-read-after-handler-is-ref",
        "try:\n    pass\nexcept ValueError as e:\n    pass\nprint(e)",
        refs="ValueError print e",
    ),
    case(
        "two-handlers-same-name",
        "try:\n    pass\nexcept A as e:\n    log(e)\nexcept B as e:\n    log(e)",
        refs="A B log",
    ),
    case(
        "try-else-finally",
        """
        try:
            conn = connect()
        except OSError:
            conn = None
        else:
            ready = True
        finally:
            cleanup()
        """,
        defs="conn ready",
        refs="connect OSError cleanup",
    ),
    case(
        "try-finally-only",
        "try:\n    value = compute()\nfinally:\n    done = True",
        defs="value done",
        refs="compute",
    ),
    case(
        "except-star",
        """
        try:
            result = run()
        except* ValueError as eg:
            report(eg.exceptions)
        except* (TypeError, KeyError):
            pass
        finally:
            close()
        """,
        defs="result",
        refs="run ValueError report TypeError KeyError close",
    ),
    case(
        "nested-try",
        """
        try:
            try:
                inner()
            except KeyError as k:
                fallback = k
        except Exception as outer:
            handle(outer)
        """,
        defs="fallback",
        refs="inner KeyError Exception handle",
    ),
    case(
        "except-in-loop",
        "for item in items:\n    try:\n        parse(item)\n    except ParseError as err:\n        errors.append(err)",
        defs="item",
        refs="items parse ParseError errors",
    ),
    case(
        "except-in-function",
        "def f():\n    try:\n        pass\n    except E as e:\n        return e\n    return e",
        defs="f",
        refs="E",
    ),
    case(
        "except-in-class-body",
        "class C:\n    try:\n        pass\n    except E as e:\n        pass",
        defs="C",
        refs="E",
    ),
    case(
        "except-type-is-cell-def",
        "class MyError(Exception):\n    pass\ntry:\n    pass\nexcept MyError as e:\n    print(e)",
        defs="MyError",
        refs="Exception print",
    ),
    case(
        "raise-in-handler",
        "try:\n    pass\nexcept KeyError as e:\n    raise LookupError(key) from e",
        refs="KeyError LookupError key",
    ),
]

MATCH = [
    case(
        "match-literal",
        'match command:\n    case "quit":\n        done = True\n    case other:\n        pass',
        defs="done other",
        refs="command",
    ),
    case("match-capture", "match v:\n    case x:\n        pass", defs="x", refs="v"),
    case("match-wildcard", "match v:\n    case _:\n        pass", refs="v"),
    case("match-sequence", "match v:\n    case [a, *rest]:\n        pass", defs="a rest", refs="v"),
    case("match-sequence-wildcard-star", "match v:\n    case [first, *_]:\n        pass", defs="first", refs="v"),
    case("match-tuple", "match (a, b):\n    case (x, y):\n        pass", defs="x y", refs="a b"),
    case("match-mapping", 'match v:\n    case {"k": val, **others}:\n        pass', defs="val others", refs="v"),
    case("match-mapping-value-key", "match v:\n    case {Keys.A: inner}:\n        pass", defs="inner", refs="v Keys"),
    case("match-class-keyword-as", "match v:\n    case Point(x=a) as p:\n        pass", defs="a p", refs="v Point"),
    case("match-class-positional", "match v:\n    case Point(a, b):\n        pass", defs="a b", refs="v Point"),
    case("match-class-empty", "match v:\n    case Point():\n        pass", refs="v Point"),
    case("match-class-dotted", "match v:\n    case shapes.Circle(r=radius):\n        pass", defs="radius", refs="v shapes"),
    case("match-class-literal-kwarg", "match p:\n    case Point(x=0, y=yy):\n        pass", defs="yy", refs="p Point"),
    case("match-value-pattern", "match v:\n    case Color.RED:\n        pass", refs="v Color"),
    case("match-dotted-value-pattern", "match v:\n    case mod.Color.RED:\n        pass", refs="v mod"),
    case("match-or-pattern-classes", "match v:\n    case int() | float():\n        pass", refs="v int float"),
    case("match-or-pattern-as", "match v:\n    case (1 | 2) as n:\n        pass", defs="n", refs="v"),
    case("match-or-pattern-same-names", "match v:\n    case [a, 1] | [1, a]:\n        pass", defs="a", refs="v"),
    case("match-builtin-class-capture", "match v:\n    case str(s):\n        pass", defs="s", refs="v str"),
    case("match-guard", "match v:\n    case x if x > limit:\n        pass", defs="x", refs="v limit"),
    case("match-guard-walrus", "match v:\n    case x if (y := x):\n        pass", defs="x y", refs="v"),
    case(
        "match-body-defs",
        """
        match event:
            case {"type": "click", "pos": (px, py)}:
                clicked = (px, py)
            case Key(code=c) if c in bindings:
                action = bindings[c]
            case _:
                action = default_action
        """,
        defs="px py clicked c action",
        refs="event Key bindings default_action",
    ),
    case("match-in-function-is-local", "def f(v):\n    match v:\n        case [a, b]:\n            return a + b", defs="f"),
    case("match-in-class-body", "class C:\n    match spec:\n        case {'n': n}:\n            size = n", defs="C", refs="spec"),
    case("match-nested-patterns", "match v:\n    case [Point(x=a), {'k': [b, *c]}]:\n        pass", defs="a b c", refs="v Point"),
    case("match-negative-and-complex-literals", "match v:\n    case -1 | 1+2j | None | True:\n        pass", refs="v"),
    case("match-capture-read-after", "match v:\n    case [a]:\n        pass\nprint(a)", defs="a", refs="v print"),
]

ASYNC_TOP_LEVEL = [
    case("top-level-await", "await asyncio.sleep(0)", refs="asyncio"),
    case("top-level-await-assign", "result = await fetch(url)", defs="result", refs="fetch url"),
    case(
        "top-level-async-for",
        "async for item in stream():\n    items.append(item)",
        defs="item",
        refs="stream items",
    ),
    case(
        "top-level-async-with",
        "async with session() as s:\n    data = await s.get()",
        defs="s data",
        refs="session",
    ),
    case(
        "top-level-async-with-multiple",
        "async with a() as x, b() as (y, z):\n    pass",
        defs="x y z",
        refs="a b",
    ),
    case("top-level-async-comprehension", "values = [v async for v in agen() if await ok(v)]", defs="values", refs="agen ok"),
    case("top-level-await-in-fstring", 'msg = f"{await get()}"', defs="msg", refs="get"),
    case("top-level-await-gather", "a, b = await asyncio.gather(f(), g())", defs="a b", refs="asyncio f g"),
    case("async-def-then-await", "async def main():\n    return 1\nvalue = await main()", defs="main value"),
    case("async-generator-def", "async def ticks():\n    while True:\n        yield await clock()", defs="ticks", refs="clock"),
]


@pytest.mark.parametrize(("code", "defs", "refs"), TRY_EXCEPT)
def test_try_except(code, defs, refs):
    check(code, defs, refs)


@pytest.mark.parametrize(("code", "defs", "refs"), MATCH)
def test_match(code, defs, refs):
    check(code, defs, refs)


@pytest.mark.parametrize(("code", "defs", "refs"), ASYNC_TOP_LEVEL)
def test_top_level_async(code, defs, refs):
    check(code, defs, refs)


# Version-dependent syntax: (id, minimum Python, code, defs, refs). On an older
# Python the same cell must be reported as a syntax error instead.
def vcase(case_id: str, minimum: tuple[int, int], code: str, defs: str = "", refs: str = ""):
    return pytest.param(minimum, dedent(code).strip("\n"), defs, refs, id=case_id)


PEP695 = (3, 12)
PEP696 = (3, 13)  # type parameter defaults
PEP750 = (3, 14)  # template strings

VERSIONED = [
    vcase("generic-function", PEP695, "def f[T](x: T) -> T:\n    return x", defs="f"),
    vcase("generic-function-bound", PEP695, "def f[T: Bound](x: T) -> T:\n    return x", defs="f", refs="Bound"),
    vcase("generic-function-constraints", PEP695, "def f[T: (int, str)](x: T) -> T:\n    return x", defs="f", refs="int str"),
    vcase("generic-function-typevartuple", PEP695, "def f[*Ts](*args: *Ts) -> tuple[*Ts]:\n    return args", defs="f", refs="tuple"),
    vcase(
        "generic-function-paramspec",
        PEP695,
        "def deco[**P, R](fn: Callable[P, R]) -> Callable[P, R]:\n    return fn",
        defs="deco",
        refs="Callable",
    ),
    vcase("generic-function-body-free", PEP695, "def f[T](x: T) -> T:\n    return conv(x)", defs="f", refs="conv"),
    vcase("generic-function-default-arg", PEP695, "def f[T](x: T = fallback) -> T:\n    return x", defs="f", refs="fallback"),
    vcase("generic-function-decorated", PEP695, "@deco\ndef f[T](x: T) -> T:\n    return x", defs="f", refs="deco"),
    vcase("generic-class", PEP695, "class C[T](Base[T]):\n    pass", defs="C", refs="Base"),
    vcase("generic-class-method-sees-T", PEP695, "class C[T]:\n    def m(self, x: T) -> T:\n        return x", defs="C"),
    vcase("generic-class-attr-annotation", PEP695, "class C[T]:\n    attr: list[T]", defs="C", refs="list"),
    vcase("generic-class-body-reads-T", PEP695, "class C[T]:\n    alias = T", defs="C"),
    vcase("generic-class-keywords", PEP695, "class C[K, V](Mapping[K, V], metaclass=Meta):\n    pass", defs="C", refs="Mapping Meta"),
    vcase(
        "generic-class-methods-still-skip-class-scope",
        PEP695,
        "class C[T]:\n    x = 1\n    def m(self) -> T:\n        return x",
        defs="C",
        refs="x",
    ),
    vcase("type-param-does-not-leak", PEP695, "def f[T]():\n    pass\nprint(T)", defs="f", refs="print T"),
    vcase("type-alias", PEP695, "type Alias = int | str", defs="Alias", refs="int str"),
    vcase("generic-type-alias", PEP695, "type Alias[T] = list[T]", defs="Alias", refs="list"),
    vcase("generic-type-alias-bound", PEP695, "type Pair[T: Number] = tuple[T, T]", defs="Pair", refs="tuple Number"),
    vcase("recursive-type-alias", PEP695, "type Tree = list[Tree] | Leaf", defs="Tree", refs="list Leaf"),
    vcase("type-alias-forward-ref-own-def", PEP695, "type Fwd = Later\nLater = int", defs="Fwd Later", refs="int"),
    vcase("type-alias-in-function-is-local", PEP695, "def f():\n    type Local = int\n    return Local", defs="f", refs="int"),
    vcase("type-alias-in-class-body", PEP695, "class C:\n    type Inner = Outer", defs="C", refs="Outer"),
    # Annotation scopes directly inside a class see the class's names (PEP 695).
    vcase("type-alias-in-class-body-sees-class-names", PEP695, "class C:\n    Inner = int\n    type Alias = Inner", defs="C", refs="int"),
    vcase(
        "generic-method-annotation-sees-class-names",
        PEP695,
        "class C:\n    T = int\n    def m[U](self, x: T) -> U:\n        return x",
        defs="C",
        refs="int",
    ),
    vcase("type-alias-typevartuple-and-paramspec", PEP695, "type Call[*Ts, **P] = Callable[P, tuple[*Ts]]", defs="Call", refs="Callable tuple"),
    vcase(
        "generic-function-nested",
        PEP695,
        "def outer():\n    def inner[T](x: T) -> T:\n        return x\n    return inner",
        defs="outer",
    ),
    vcase("type-param-default", PEP696, "def f[T = int](x: T) -> T:\n    return x", defs="f", refs="int"),
    vcase("type-param-default-class", PEP696, "class Box[T = Default]:\n    pass", defs="Box", refs="Default"),
    vcase("type-alias-param-default", PEP696, "type A[T = str] = list[T]", defs="A", refs="str list"),
    vcase("template-string", PEP750, 'tpl = t"Hello {name}!"', defs="tpl", refs="name"),
]


@pytest.mark.parametrize(("minimum", "code", "defs", "refs"), VERSIONED)
def test_version_dependent_syntax(minimum, code, defs, refs):
    if sys.version_info >= minimum:
        check(code, defs, refs)
    else:
        result = analyze_cell(code)
        assert result.error is not None
        assert result.error.kind == "syntax"
        assert result.defs == frozenset()
        assert result.refs == frozenset()
