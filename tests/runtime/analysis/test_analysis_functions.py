"""Function and lambda scopes: parameters, defaults, annotations, decorators,
closures, ``global`` and ``nonlocal``.

Python's rules: a function's parameters and every name bound anywhere in its
body are local for the whole body; free names resolve to the nearest enclosing
*function* scope that binds them (class bodies are skipped), else to the
module globals, which makes them refs of the cell (unless the cell defines
them). Defaults, annotations and decorators are evaluated in the enclosing
scope when the ``def`` runs.
"""

from __future__ import annotations

import pytest
from analysis_cases import case, check

FUNCTIONS = [
    case("def-defines-name", "def f():\n    pass", defs="f"),
    case("async-def-defines-name", "async def f():\n    pass", defs="f"),
    case("params-are-local", "def f(x, y):\n    return x + y", defs="f"),
    case("free-name-is-ref", "def f(x):\n    return x + y", defs="f", refs="y"),
    case("local-assignment", "def f():\n    x = 1\n    return x", defs="f"),
    case(
        "local-for-whole-body",
        """
        def f():
            print(x)
            x = 1
        """,
        defs="f",
        refs="print",
    ),
    case("augmented-in-function-is-local", "def f():\n    n += 1", defs="f"),
    case("for-target-local", "def f():\n    for i in items:\n        last = i\n    return last", defs="f", refs="items"),
    case("with-target-local", "def f():\n    with cm() as h:\n        return h", defs="f", refs="cm"),
    case("walrus-local", "def f():\n    if (n := compute()):\n        return n", defs="f", refs="compute"),
    case("except-name-local", "def f():\n    try:\n        pass\n    except E as e:\n        return e", defs="f", refs="E"),
    case("nested-class-local", "def f():\n    class K:\n        pass\n    return K", defs="f"),
    case("nested-def-local", "def f():\n    def g():\n        pass\n    return g", defs="f"),
    case("all-param-kinds", "def f(a, /, b, *args, c, **kw):\n    return a, b, args, c, kw", defs="f"),
    case(
        "defaults-are-enclosing-scope",
        "def f(a=x, *, b=y):\n    return a + b",
        defs="f",
        refs="x y",
    ),
    case("default-refers-to-cell-def", "x = 1\ndef f(a=x):\n    return a", defs="x f"),
    case(
        "param-annotations-and-return",
        "def f(x: int, y: str = default) -> bool:\n    return True",
        defs="f",
        refs="int str default bool",
    ),
    case(
        "every-annotation-position",
        "def f(a: A = d, /, b: B = e, *args: V, c: C = g, **kw: K) -> R:\n    return h",
        defs="f",
        refs="A d B e V C g K R h",
    ),
    case("string-annotations-not-parsed", 'def f(x: "Foo") -> "Bar":\n    return x', defs="f"),
    case(
        "future-annotations-function",
        "from __future__ import annotations\ndef f(x: Foo) -> Bar:\n    pass",
        defs="f",
        refs="Foo Bar",
    ),
    case("local-variable-annotation", "def f():\n    y: Foo = 1\n    return y", defs="f", refs="Foo"),
    case("recursion", "def fact(n):\n    return 1 if n < 2 else n * fact(n - 1)", defs="fact"),
    case(
        "closure-reads-later-global",
        """
        def f():
            return helper() + limit

        def helper():
            return 1

        limit = 10
        """,
        defs="f helper limit",
    ),
    case("closure-reads-other-cell-global", "def f():\n    return later()", defs="f", refs="later"),
    case("generator", "def gen():\n    yield from source\n    yield item", defs="gen", refs="source item"),
    case(
        "async-function-body",
        """
        async def main():
            async with connect() as conn:
                rows = await conn.fetch(query)
            async for event in stream():
                handle(event)
            return rows
        """,
        defs="main",
        refs="connect query stream handle",
    ),
    case("function-defined-twice", "def f():\n    return 1\ndef f():\n    return 2", defs="f"),
    case("function-in-if", "if debug:\n    def log(m):\n        print(m)", defs="log", refs="debug print"),
    case("function-in-for", "for i in range(3):\n    def f():\n        return i", defs="i f", refs="range"),
    case("method-call-on-param", "def f(df):\n    return df.head(n)", defs="f", refs="n"),
    case("super-in-method", "class C(B):\n    def m(self):\n        return super().m()", defs="C", refs="B super"),
    case("builtins-inside", "def f(xs):\n    return sorted(xs, key=len)", defs="f", refs="sorted len"),
    case("assigned-only-in-nested-is-global-in-outer", "def f():\n    def g():\n        x = 1\n    return x", defs="f", refs="x"),
    case("local-name-same-as-global-def", "x = 1\ndef f():\n    x = 2\n    return x", defs="x f"),
    case("param-shadows-global-name", "def f(print):\n    return print", defs="f"),
    case("kwonly-default-uses-earlier-param-name-from-globals", "def f(a, b=a):\n    pass", defs="f", refs="a"),
    case("bare-annotation-makes-local", "def f():\n    x: int\n    return x", defs="f", refs="int"),
    case("attribute-store-in-function-reads-global", "def f():\n    obj.x = 1", defs="f", refs="obj"),
    case("subscript-store-in-function-reads-global", "def f():\n    cache[key] = 1", defs="f", refs="cache key"),
    case("augmented-subscript-in-function", "def f():\n    counts[k] += 1", defs="f", refs="counts k"),
    case("return-starred", "def f():\n    return *a, *b", defs="f", refs="a b"),
]

DECORATORS = [
    case("decorator-name", "@cache\ndef f():\n    pass", defs="f", refs="cache"),
    case("decorator-attribute", "@functools.lru_cache(maxsize=size)\ndef f():\n    pass", defs="f", refs="functools size"),
    case(
        "decorator-with-args",
        """
        @app.route("/items", methods=METHODS)
        def view():
            return render(items)
        """,
        defs="view",
        refs="app METHODS render items",
    ),
    case("stacked-decorators", "@a\n@b(c)\n@d.e\ndef f():\n    pass", defs="f", refs="a b c d"),
    case("decorator-defined-in-cell", "def deco(fn):\n    return fn\n@deco\ndef f():\n    pass", defs="deco f"),
    case("decorator-expression", "@registry[key]\ndef f():\n    pass", defs="f", refs="registry key"),
    case("decorator-lambda", "@(lambda fn: wrap(fn))\ndef f():\n    pass", defs="f", refs="wrap"),
    case("decorator-comprehension", "@register([n for n in names])\ndef f():\n    pass", defs="f", refs="register names"),
    case("decorator-walrus", "@(dec := make())\ndef f():\n    pass", defs="dec f", refs="make"),
    case("decorated-class", "@dataclass(frozen=True)\nclass P:\n    x: int\n    y: float = 0.0", defs="P", refs="dataclass int float"),
    case("decorated-async", "@deco\nasync def f():\n    await g()", defs="f", refs="deco g"),
]

LAMBDAS = [
    case("lambda-assigned", "f = lambda: x", defs="f", refs="x"),
    case("lambda-params-local", "f = lambda x, y: x + y", defs="f"),
    case("lambda-free-name", "f = lambda x: x + offset", defs="f", refs="offset"),
    case("lambda-default-enclosing", "f = lambda x, y=z: x + y + w", defs="f", refs="z w"),
    case("lambda-star-params", "f = lambda *a, **k: (a, k, extra)", defs="f", refs="extra"),
    case("lambda-kwonly-default", "f = lambda *, key=default: key", defs="f", refs="default"),
    case("lambda-called-immediately", "(lambda: z)()", refs="z"),
    case("nested-lambda", "f = lambda x: lambda y: x + y + z", defs="f", refs="z"),
    case("nested-lambda-default-sees-outer-param", "f = lambda x: lambda y=x: y", defs="f"),
    case("lambda-as-argument", "items.sort(key=lambda item: item[col])", refs="items col"),
    case("lambda-walrus-is-local", "f = lambda: (z := 1)", defs="f"),
    case("lambda-walrus-in-default-is-global", "g = lambda a=(b := 2): a", defs="g b"),
    case("lambda-in-comprehension-reads-loop-var", "fs = [lambda: i for i in range(3)]", defs="fs", refs="range"),
    case("lambda-default-comprehension", "f = lambda xs=[i for i in range(3)]: xs", defs="f", refs="range"),
    case("lambda-inside-function-closure", "def f(n):\n    return lambda x: x * n + k", defs="f", refs="k"),
    case("lambda-default-of-own-def", "f = lambda n=f: n", defs="f"),
]

GLOBAL_IN_FUNCTIONS = [
    case("global-assigned-is-def", "def f():\n    global x\n    x = 1", defs="f x"),
    case("global-read-only-is-ref", "def f():\n    global x\n    return x", defs="f", refs="x"),
    case("global-augmented-is-def", "def f():\n    global n\n    n += 1", defs="f n"),
    case("global-several-names", "def f():\n    global a, b\n    a = b", defs="f a", refs="b"),
    case("global-for-target", "def f():\n    global i\n    for i in range(3):\n        pass", defs="f i", refs="range"),
    case("global-import", "def setup():\n    global np\n    import numpy as np", defs="setup np"),
    case("global-def", "def f():\n    global g\n    def g():\n        pass", defs="f g"),
    case("global-class", "def f():\n    global K\n    class K:\n        pass", defs="f K"),
    case("global-with-target", "def f():\n    global h\n    with cm() as h:\n        pass", defs="f h", refs="cm"),
    case("global-walrus", "def f():\n    global y\n    return (y := 5)", defs="f y"),
    case("global-tuple-target", "def f():\n    global a, b\n    a, b = 1, 2", defs="f a b"),
    case("global-del-only-is-ref", "def f():\n    global x\n    del x", defs="f", refs="x"),
    case("global-in-nested-function", "def f():\n    def g():\n        global x\n        x = 1\n    return g", defs="f x"),
    case(
        "global-nested-assign-read-in-outer",
        """
        def f():
            def g():
                global x
                x = 1
            g()
            return x
        """,
        defs="f x",
    ),
    case(
        "global-declared-in-outer-read-in-inner",
        "def f():\n    global x\n    def g():\n        return x\n    return g",
        defs="f",
        refs="x",
    ),
    case(
        "global-in-outer-does-not-reach-inner-assignment",
        "def f():\n    global x\n    def g():\n        x = 1\n    return g",
        defs="f",
    ),
    case("global-in-method", "class C:\n    def reset(self):\n        global counter\n        counter = 0", defs="C counter"),
    case("global-in-async-def", "async def f():\n    global result\n    result = await fetch()", defs="f result", refs="fetch"),
    case("global-walrus-in-comprehension", "def f(xs):\n    global last\n    return [last := x for x in xs]", defs="f last"),
    case("global-in-class-body", "class C:\n    global g\n    g = 1", defs="C g"),
    case("global-read-in-class-body", "class C:\n    global g\n    y = g", defs="C", refs="g"),
    case("global-declared-but-unused", "def f():\n    global unused\n    return 1", defs="f"),
    case("global-def-already-defined-at-top", "x = 0\ndef f():\n    global x\n    x = 1", defs="x f"),
]

NONLOCAL_AND_CLOSURES = [
    case(
        "counter-closure",
        """
        def counter():
            count = 0
            def inc():
                nonlocal count
                count += 1
                return count
            return inc
        """,
        defs="counter",
    ),
    case(
        "nonlocal-two-levels",
        """
        def a():
            x = 1
            def b():
                def c():
                    nonlocal x
                    x = 2
                return c
            return b
        """,
        defs="a",
    ),
    case(
        "nonlocal-to-parameter",
        "def f(x):\n    def g():\n        nonlocal x\n        x = 1\n    return g",
        defs="f",
    ),
    case(
        "nonlocal-from-method-to-function",
        """
        def f():
            x = 1
            class C:
                def m(self):
                    nonlocal x
                    x = 2
            return C
        """,
        defs="f",
    ),
    case("nonlocal-in-class-body", "def f():\n    x = 1\n    class C:\n        nonlocal x\n        x = 2\n    return x", defs="f"),
    case("closure-reads-outer-local", "def f():\n    h = 1\n    def g():\n        return h\n    return g", defs="f"),
    case("closure-outer-binds-after-inner", "def f():\n    def g():\n        return h\n    h = 1\n    return g", defs="f"),
    case("closure-free-to-global", "def f():\n    def g():\n        return h\n    return g", defs="f", refs="h"),
    case("closure-three-levels-global", "def a():\n    def b():\n        def c():\n            return deep\n        return c\n    return b", defs="a", refs="deep"),
    case("closure-three-levels-from-outer", "def a():\n    deep = 1\n    def b():\n        def c():\n            return deep\n        return c\n    return b", defs="a"),
    case(
        "closure-inner-default-from-outer",
        "def f(n):\n    def g(k=n, j=m):\n        return k + j\n    return g",
        defs="f",
        refs="m",
    ),
    case(
        "closure-inner-decorator-from-outer",
        "def f(deco):\n    @deco\n    @other\n    def g():\n        pass\n    return g",
        defs="f",
        refs="other",
    ),
    case(
        "closure-inner-annotation-from-outer",
        "def f(T):\n    def g(x: T) -> U:\n        pass\n    return g",
        defs="f",
        refs="U",
    ),
    case(
        "method-sees-function-local",
        "def f():\n    v = 1\n    class C:\n        def m(self):\n            return v\n    return C",
        defs="f",
    ),
    case(
        "method-skips-class-scope-to-function",
        "def f():\n    v = 1\n    class C:\n        v = 2\n        def m(self):\n            return v\n    return C",
        defs="f",
    ),
    case(
        "method-skips-class-scope-to-global",
        "def f():\n    class C:\n        v = 2\n        def m(self):\n            return v\n    return C",
        defs="f",
        refs="v",
    ),
    case(
        "closure-over-loop-variable",
        "def make():\n    fs = []\n    for i in range(3):\n        fs.append(lambda: i)\n    return fs",
        defs="make",
        refs="range",
    ),
]


@pytest.mark.parametrize(("code", "defs", "refs"), FUNCTIONS)
def test_functions(code, defs, refs):
    check(code, defs, refs)


@pytest.mark.parametrize(("code", "defs", "refs"), DECORATORS)
def test_decorators(code, defs, refs):
    check(code, defs, refs)


@pytest.mark.parametrize(("code", "defs", "refs"), LAMBDAS)
def test_lambdas(code, defs, refs):
    check(code, defs, refs)


@pytest.mark.parametrize(("code", "defs", "refs"), GLOBAL_IN_FUNCTIONS)
def test_global_in_functions(code, defs, refs):
    check(code, defs, refs)


@pytest.mark.parametrize(("code", "defs", "refs"), NONLOCAL_AND_CLOSURES)
def test_nonlocal_and_closures(code, defs, refs):
    check(code, defs, refs)
