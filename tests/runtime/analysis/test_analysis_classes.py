"""Class bodies.

A class body runs in its own namespace: names it binds are not cell defs, and
they are invisible to methods, lambdas and comprehensions defined in the body
(except a comprehension's first iterable, evaluated in the class body). A
class-body read of a name the body has not bound yet falls back to the module
globals (``LOAD_NAME``), even inside a function whose local has that name.
Bases, keywords and decorators are evaluated in the enclosing scope.
"""

from __future__ import annotations

import pytest
from analysis_cases import case, check

from kernels.runtime.analysis import analyze_cell

CLASS_BODIES = [
    case("empty-class", "class C:\n    pass", defs="C"),
    case("class-attrs-not-defs", "class C:\n    x = 1\n    y = 2", defs="C"),
    case("class-attr-reads-earlier-attr", "class C:\n    x = 1\n    y = x + 1", defs="C"),
    case("class-attr-reads-global", "class C:\n    y = base_value", defs="C", refs="base_value"),
    case("class-read-before-bind", "class C:\n    x = x + 1", defs="C", refs="x"),
    case("class-read-then-bind-later", "class C:\n    y = x\n    x = 1", defs="C", refs="x"),
    case("class-augmented-before-bind", "class C:\n    count += 1", defs="C", refs="count"),
    case("class-augmented-after-bind", "class C:\n    count = 0\n    count += 1", defs="C"),
    case("class-bases", "class C(Base, mixins.Mixin):\n    pass", defs="C", refs="Base mixins"),
    case("class-keywords", "class C(Base, metaclass=Meta, flag=value):\n    pass", defs="C", refs="Base Meta value"),
    case("class-star-bases", "class C(*bases, **options):\n    pass", defs="C", refs="bases options"),
    case("class-generic-base-subscript", "class C(Generic[T]):\n    pass", defs="C", refs="Generic T"),
    case("class-decorator", "@register(kind)\nclass C:\n    pass", defs="C", refs="register kind"),
    case("class-name-used-in-method", "class C:\n    def clone(self):\n        return C()", defs="C"),
    case("class-used-after", "class C:\n    pass\nobj = C()", defs="C obj"),
    case("method-names-not-defs", "class C:\n    def a(self):\n        pass\n    def b(self):\n        pass", defs="C"),
    case("method-reads-class-attr-is-global", "class C:\n    x = 1\n    def f(self):\n        return x", defs="C", refs="x"),
    case("method-reads-method-name-is-global", "class C:\n    def f(self):\n        return f", defs="C", refs="f"),
    case("method-via-self", "class C:\n    x = 1\n    def f(self):\n        return self.x", defs="C"),
    case("method-via-class-name", "class C:\n    x = 1\n    def f(self):\n        return C.x", defs="C"),
    case("class-method-alias", "class C:\n    def f(self):\n        pass\n    g = f", defs="C"),
    case("method-default-from-class-body", "class C:\n    D = 1\n    def m(self, x=D):\n        return x", defs="C"),
    case("method-default-global", "class C:\n    def m(self, x=DEFAULT):\n        return x", defs="C", refs="DEFAULT"),
    case(
        "method-annotations-from-class-body",
        "class C:\n    T = int\n    def m(self, x: T) -> T:\n        return x",
        defs="C",
        refs="int",
    ),
    case(
        "method-annotations-global",
        "class C:\n    def m(self, x: Item) -> Result:\n        return x",
        defs="C",
        refs="Item Result",
    ),
    case("class-attr-annotations", "class C:\n    x: int\n    y: str = 'a'", defs="C", refs="int str"),
    case("class-attr-annotation-from-class-body", "class C:\n    T = int\n    x: T", defs="C", refs="int"),
    case(
        "decorators-in-class",
        "class C:\n    @staticmethod\n    def s():\n        pass\n    @property\n    def p(self):\n        return 1",
        defs="C",
        refs="staticmethod property",
    ),
    case(
        "property-setter-uses-class-local",
        """
        class C:
            @property
            def v(self):
                return self._v
            @v.setter
            def v(self, val):
                self._v = val
        """,
        defs="C",
        refs="property",
    ),
    case(
        "decorator-defined-in-class-body",
        "class C:\n    def helper(fn):\n        return fn\n    @helper\n    def m(self):\n        pass",
        defs="C",
    ),
    case("class-lambda-body-is-global", "class C:\n    k = 1\n    f = lambda self: k", defs="C", refs="k"),
    case("class-lambda-default-is-class", "class C:\n    k = 1\n    f = lambda self, v=k: v", defs="C"),
    case("class-immediately-called-lambda", "class C:\n    x = 1\n    y = (lambda: x)()", defs="C", refs="x"),
    case("nested-class-cannot-see-outer-class", "class A:\n    x = 1\n    class B:\n        y = x", defs="A", refs="x"),
    case("nested-class-after-bind", "class Outer:\n    class Inner:\n        pass\n    x = Inner()", defs="Outer"),
    case("class-body-import", "class C:\n    from os import sep\n    s = sep", defs="C"),
    case("class-body-for-loop", "class C:\n    for i in range(3):\n        pass", defs="C", refs="range"),
    case("class-body-walrus-not-def", "class C:\n    x = (y := 1)", defs="C"),
    case("class-base-walrus-is-def", "class C((B := object)):\n    pass", defs="C B", refs="object"),
    case("class-docstring-and-slots", 'class C:\n    """Doc."""\n    __slots__ = ("a",)', defs="C"),
    case("class-in-if", "if flag:\n    class C:\n        pass", defs="C", refs="flag"),
    case(
        "class-body-try-except",
        "class C:\n    try:\n        import fast as impl\n    except ImportError as e:\n        impl = None",
        defs="C",
        refs="ImportError",
    ),
    case(
        "dataclass-style",
        """
        @dataclass
        class Point:
            x: float = 0.0
            y: float = field(default=0.0)

            def norm(self) -> float:
                return math.hypot(self.x, self.y)
        """,
        defs="Point",
        refs="dataclass float field math",
    ),
    case("class-read-in-nested-block-before-bind", "class C:\n    if cond:\n        y = x\n    x = 1", defs="C", refs="cond x"),
    case("class-method-name-read-after-def", "class C:\n    def x(self):\n        pass\n    y = x", defs="C"),
    case("nested-class-read-before-bind", "class C:\n    x = 1\n    class D:\n        x = x", defs="C", refs="x"),
    case("class-walrus-then-read", "class C:\n    if (n := 3):\n        pass\n    m = n", defs="C"),
    case("class-bare-annotation-does-not-bind", "class C:\n    x: int\n    y = x", defs="C", refs="int x"),
    case("class-method-default-lambda-body", "class C:\n    k = 1\n    def m(self, f=lambda: k):\n        return f", defs="C", refs="k"),
]

CLASS_AND_FUNCTION_NESTING = [
    case(
        "class-in-function-reads-function-local",
        "def f():\n    x = 1\n    class C:\n        y = x\n    return C",
        defs="f",
    ),
    case(
        "class-in-function-rebinding-name-reads-global",
        "def f():\n    x = 1\n    class C:\n        x = x + 1\n    return C",
        defs="f",
        refs="x",
    ),
    case(
        "class-in-function-read-before-bind-reads-global",
        "def f():\n    x = 1\n    class C:\n        y = x\n        x = 2\n    return C",
        defs="f",
        refs="x",
    ),
    case(
        "method-in-class-in-function-reads-class-attr-global",
        "def f():\n    class C:\n        v = 1\n        def m(self):\n            return v\n    return C",
        defs="f",
        refs="v",
    ),
    case(
        "class-in-method",
        "class A:\n    def make(self):\n        class B(Base):\n            z = q\n        return B",
        defs="A",
        refs="Base q",
    ),
    case(
        "function-local-base-and-decorator",
        "def f(Base, deco):\n    @deco\n    class C(Base):\n        pass\n    return C",
        defs="f",
    ),
]

CLASS_COMPREHENSIONS = [
    case("comprehension-first-iterable-is-class-scope", "class C:\n    xs = [1, 2]\n    ys = [x for x in xs]", defs="C"),
    case(
        "comprehension-element-skips-class",
        "class C:\n    xs = [1, 2]\n    n = 2\n    ys = [x * n for x in xs]",
        defs="C",
        refs="n",
    ),
    case(
        "comprehension-second-iterable-skips-class",
        "class C:\n    a = [1]\n    b = [2]\n    ys = [(x, y) for x in a for y in b]",
        defs="C",
        refs="b",
    ),
    case(
        "comprehension-condition-skips-class",
        "class C:\n    xs = [1]\n    ys = [x for x in xs if x in xs]",
        defs="C",
        refs="xs",
    ),
    case("comprehension-global-iterable", "class C:\n    ys = [x for x in data]", defs="C", refs="data"),
    case("generator-in-class", "class C:\n    k = 3\n    total = sum(i * k for i in range(k))", defs="C", refs="sum range k"),
    case("dict-comprehension-in-class", "class C:\n    keys = 'ab'\n    m = {k: default for k in keys}", defs="C", refs="default"),
    case(
        "comprehension-in-class-in-function",
        """
        def outer():
            n = 1
            class C:
                m = 2
                xs = [i + n + m for i in range(3)]
            return C
        """,
        defs="outer",
        refs="m range",
    ),
    case(
        "comprehension-lambda-in-class",
        "class C:\n    k = 1\n    fs = [lambda: k for i in range(3)]",
        defs="C",
        refs="k range",
    ),
    case(
        "nested-comprehension-in-class-inner-first-iterable",
        "class C:\n    rows = [[1]]\n    flat = [v for row in rows for v in row]",
        defs="C",
    ),
    case(
        "inner-comprehension-first-iterable-is-outer-comprehension-scope",
        "class C:\n    ys = [1]\n    zs = [[y for y in ys] for x in range(2)]",
        defs="C",
        refs="ys range",
    ),
]


@pytest.mark.parametrize(("code", "defs", "refs"), CLASS_BODIES)
def test_class_bodies(code, defs, refs):
    check(code, defs, refs)


@pytest.mark.parametrize(("code", "defs", "refs"), CLASS_AND_FUNCTION_NESTING)
def test_classes_nested_in_functions(code, defs, refs):
    check(code, defs, refs)


@pytest.mark.parametrize(("code", "defs", "refs"), CLASS_COMPREHENSIONS)
def test_comprehensions_in_class_bodies(code, defs, refs):
    check(code, defs, refs)


# Python itself confirms the surprising class-body rules above: run the code
# with a global of the same name and look at what the class saw.
@pytest.mark.parametrize(
    ("code", "expected"),
    [
        pytest.param(
            "def f():\n    x = 1\n    class C:\n        x = x + 1\n    return C.x\nresult = f()",
            101,
            id="class-rebinding-reads-global-not-enclosing-function",
        ),
        pytest.param(
            "def f():\n    x = 1\n    class C:\n        y = x\n        x = 2\n    return C.y\nresult = f()",
            100,
            id="class-read-before-bind-reads-global",
        ),
        pytest.param(
            "class C:\n    x = 1\n    def m(self):\n        return x\nresult = C().m()",
            100,
            id="method-does-not-see-class-attr",
        ),
        pytest.param(
            "class C:\n    x = 1\n    ys = [x for _ in range(1)]\nresult = C.ys[0]",
            100,
            id="comprehension-element-does-not-see-class-attr",
        ),
        pytest.param(
            "class C:\n    x: int\n    y = x\nresult = C.y",
            100,
            id="class-bare-annotation-does-not-bind",
        ),
        pytest.param(
            "class C:\n    x = 1\n    class D:\n        x = x\nresult = C.D.x",
            100,
            id="nested-class-does-not-see-outer-class",
        ),
        pytest.param(
            "class C:\n    x = 1\n    def m(self, f=lambda: x):\n        return f()\nresult = C().m()",
            100,
            id="lambda-default-body-does-not-see-class-attr",
        ),
    ],
)
def test_python_agrees_with_class_scope_expectations(code, expected):
    namespace = {"x": 100}
    exec(compile(code, "<cell>", "exec"), namespace)
    assert namespace["result"] == expected
    assert "x" in analyze_cell(code).refs
