"""``graph_report``: the ``playground graph --json`` structure of a notebook.

Each table case gives the cells' code, the expected ``(defs, refs)`` of every
cell (space-separated names, as the report lists them), the edges
``[definer, reader]`` and the errors as ``(kind, cells)`` in report order.
"""

from __future__ import annotations

import copy
import json
from textwrap import dedent

import pytest

from kernels.runtime.graph import graph_report
from kernels.runtime.notebook import Cell, Notebook


def make_notebook(cells) -> Notebook:
    return Notebook(
        cells=[c if isinstance(c, Cell) else Cell(code=dedent(c).strip("\n")) for c in cells]
    )


def md(text: str, name: str | None = None) -> Cell:
    return Cell(code=text, kind="markdown", name=name)


def gcase(case_id, cells, expect, edges=(), errors=()):
    return pytest.param(cells, expect, edges, errors, id=case_id)


def expected_cells(notebook: Notebook, expect) -> list[dict]:
    assert len(expect) == len(notebook.cells), "case table is wrong"
    return [
        {
            "index": i,
            "name": notebook.cells[i].name or f"cell-{i}",
            "defs": sorted(defs.split()),
            "refs": sorted(refs.split()),
        }
        for i, (defs, refs) in enumerate(expect)
    ]


GRAPH_CASES = [
    gcase("empty-notebook", [], []),
    gcase("single-cell", ["x = 1"], [("x", "")]),
    gcase("two-independent", ["a = 1", "b = 2"], [("a", ""), ("b", "")]),
    gcase("brief-example", ["x = 1", "y = x + 1"], [("x", ""), ("y", "x")], edges=[(0, 1)]),
    gcase(
        "chain",
        ["a = 1", "b = a + 1", "c = b * 2", "d = c - 1"],
        [("a", ""), ("b", "a"), ("c", "b"), ("d", "c")],
        edges=[(0, 1), (1, 2), (2, 3)],
    ),
    gcase("reader-before-definer", ["y = x * 2", "x = 21"], [("y", "x"), ("x", "")], edges=[(1, 0)]),
    gcase(
        "fan-out",
        ["data = load()", "a = data.a", "b = data.b", "c = len(data)"],
        [("data", "load"), ("a", "data"), ("b", "data"), ("c", "data")],
        edges=[(0, 1), (0, 2), (0, 3)],
    ),
    gcase(
        "fan-in",
        ["a = 1", "b = 2", "c = a + b"],
        [("a", ""), ("b", ""), ("c", "a b")],
        edges=[(0, 2), (1, 2)],
    ),
    gcase(
        "diamond",
        ["a = 1", "b = a + 1", "c = a + 2", "d = b + c"],
        [("a", ""), ("b", "a"), ("c", "a"), ("d", "b c")],
        edges=[(0, 1), (0, 2), (1, 3), (2, 3)],
    ),
    gcase(
        "edges-are-unique",
        ["a = 1\nb = 2", "c = a + b + a"],
        [("a b", ""), ("c", "a b")],
        edges=[(0, 1)],
    ),
    gcase(
        "edges-are-sorted",
        ["y = z + 1", "w = y", "z = 0"],
        [("y", "z"), ("w", "y"), ("z", "")],
        edges=[(0, 1), (2, 0)],
    ),
    gcase(
        "undefined-non-builtin-stays-a-ref",
        ["y = undefined_thing + 1"],
        [("y", "undefined_thing")],
    ),
    gcase(
        "undefined-builtins-dropped",
        ["x = [3, 1]", "print(len(x), sorted(x), max(x))"],
        [("x", ""), ("", "x")],
        edges=[(0, 1)],
    ),
    gcase(
        "builtin-defined-by-a-cell-is-a-ref",
        ["list = [1]", "print(list)", "n = len(list)"],
        [("list", ""), ("", "list"), ("n", "list")],
        edges=[(0, 1), (0, 2)],
    ),
    gcase(
        "builtin-shadowed-by-def",
        ["def print(*args):\n    pass", "print('hi')"],
        [("print", ""), ("", "print")],
        edges=[(0, 1)],
    ),
    gcase(
        "builtin-shadowed-by-import",
        ["from math import pow", "r = pow(2, 3)", "s = abs(-1)"],
        [("pow", ""), ("r", "pow"), ("s", "")],
        edges=[(0, 1)],
    ),
    gcase(
        "builtin-read-in-function-of-other-cell",
        ["def len(x):\n    return 0", "def f(xs):\n    return len(xs)"],
        [("len", ""), ("f", "len")],
        edges=[(0, 1)],
    ),
    gcase(
        "own-defs-are-not-refs",
        ["x = 1\ny = x + 1\nx += y"],
        [("x y", "")],
    ),
    gcase(
        "function-reading-other-cell",
        ["def f():\n    return scale * 2", "scale = 3", "r = f()"],
        [("f", "scale"), ("scale", ""), ("r", "f")],
        edges=[(0, 2), (1, 0)],
    ),
    gcase(
        "imports-feed-cells",
        ["import numpy as np\nimport os.path", "arr = np.zeros(3)\np = os.path.join('a')"],
        [("np os", ""), ("arr p", "np os")],
        edges=[(0, 1)],
    ),
    gcase(
        "multiple-definitions",
        ["x = 1", "x = 2"],
        [("x", ""), ("x", "")],
        errors=[("multiple-definitions", [0, 1])],
    ),
    gcase(
        "multiple-definitions-with-reader",
        ["x = 1", "x = 2", "y = x"],
        [("x", ""), ("x", ""), ("y", "x")],
        edges=[(0, 2), (1, 2)],
        errors=[("multiple-definitions", [0, 1])],
    ),
    gcase(
        "multiple-definitions-three-cells",
        ["value = 1", "other = 2", "value = 3", "def value():\n    pass"],
        [("value", ""), ("other", ""), ("value", ""), ("value", "")],
        errors=[("multiple-definitions", [0, 2, 3])],
    ),
    gcase(
        "multiple-definitions-of-builtin",
        ["len = 1", "len = 2"],
        [("len", ""), ("len", "")],
        errors=[("multiple-definitions", [0, 1])],
    ),
    gcase(
        "augmented-assignment-redefines",
        ["count = 0", "count += 1"],
        [("count", ""), ("count", "")],
        errors=[("multiple-definitions", [0, 1])],
    ),
    gcase(
        "walrus-redefines",
        ["n = 1", "if (n := 2):\n    pass"],
        [("n", ""), ("n", "")],
        errors=[("multiple-definitions", [0, 1])],
    ),
    gcase(
        "global-in-function-redefines",
        ["counter = 0", "def bump():\n    global counter\n    counter = 1"],
        [("counter", ""), ("bump counter", "")],
        errors=[("multiple-definitions", [0, 1])],
    ),
    gcase(
        "import-redefines",
        ["import json", "from simplejson import json"],
        [("json", ""), ("json", "")],
        errors=[("multiple-definitions", [0, 1])],
    ),
    gcase(
        "del-is-a-ref-not-a-redefinition",
        ["x = 1", "del x"],
        [("x", ""), ("", "x")],
        edges=[(0, 1)],
    ),
    gcase(
        "bare-annotation-is-not-a-definition",
        ["x = 1", "x: int"],
        [("x", ""), ("", "")],
    ),
    gcase(
        "same-name-twice-in-one-cell-is-fine",
        ["x = 1\nx = 2\ndef x():\n    pass"],
        [("x", "")],
    ),
    gcase(
        "function-locals-do-not-conflict",
        ["def f():\n    x = 1\n    return x", "x = 2", "def g(x):\n    return x"],
        [("f", ""), ("x", ""), ("g", "")],
    ),
    gcase(
        "class-attributes-do-not-conflict",
        ["class A:\n    x = 1", "class B:\n    x = 2", "x = 3"],
        [("A", ""), ("B", ""), ("x", "")],
    ),
    gcase(
        "comprehension-variables-do-not-conflict",
        ["a = [i for i in range(3)]", "b = {i: i for i in range(3)}", "i = 0"],
        [("a", ""), ("b", ""), ("i", "")],
    ),
    gcase(
        "except-names-do-not-conflict",
        [
            "try:\n    pass\nexcept ValueError as e:\n    print(e)",
            "try:\n    pass\nexcept KeyError as e:\n    print(e)",
            "e = 1",
        ],
        [("", ""), ("", ""), ("e", "")],
    ),
    gcase(
        "cycle-of-two",
        ["x = y + 1", "y = x + 1"],
        [("x", "y"), ("y", "x")],
        edges=[(0, 1), (1, 0)],
        errors=[("cycle", [0, 1])],
    ),
    gcase(
        "cycle-of-three",
        ["a = c", "b = a", "c = b"],
        [("a", "c"), ("b", "a"), ("c", "b")],
        edges=[(0, 1), (1, 2), (2, 0)],
        errors=[("cycle", [0, 1, 2])],
    ),
    gcase(
        "cycle-of-three-out-of-order",
        ["a = b", "c = a", "b = c"],
        [("a", "b"), ("c", "a"), ("b", "c")],
        edges=[(0, 1), (1, 2), (2, 0)],
        errors=[("cycle", [0, 1, 2])],
    ),
    gcase(
        "cycle-through-functions",
        ["def f():\n    return g()", "def g():\n    return f()"],
        [("f", "g"), ("g", "f")],
        edges=[(0, 1), (1, 0)],
        errors=[("cycle", [0, 1])],
    ),
    gcase(
        "cycle-with-tail",
        ["a = 1", "b = a + c", "c = b", "d = c"],
        [("a", ""), ("b", "a c"), ("c", "b"), ("d", "c")],
        edges=[(0, 1), (1, 2), (2, 1), (2, 3)],
        errors=[("cycle", [1, 2])],
    ),
    gcase(
        "two-disjoint-cycles",
        ["a = b", "c = d", "b = a", "d = c"],
        [("a", "b"), ("c", "d"), ("b", "a"), ("d", "c")],
        edges=[(0, 2), (1, 3), (2, 0), (3, 1)],
        errors=[("cycle", [0, 2]), ("cycle", [1, 3])],
    ),
    gcase(
        "overlapping-cycles-form-one-component",
        ["a = b", "b = a + c", "c = b"],
        [("a", "b"), ("b", "a c"), ("c", "b")],
        edges=[(0, 1), (1, 0), (1, 2), (2, 1)],
        errors=[("cycle", [0, 1, 2])],
    ),
    gcase(
        "cycle-with-chord",
        ["a = c", "b = a", "c = a + b"],
        [("a", "c"), ("b", "a"), ("c", "a b")],
        edges=[(0, 1), (0, 2), (1, 2), (2, 0)],
        errors=[("cycle", [0, 1, 2])],
    ),
    gcase(
        "private-names-in-several-cells",
        ["_x = 1", "_x = 2", "print(_x)", "__all__ = []\n__all__ = ['a']", "_ = 5\nvalue = _"],
        [("", ""), ("", ""), ("", ""), ("", ""), ("value", "")],
    ),
    gcase(
        "private-names-never-make-cycles",
        ["_a = _b", "_b = _a"],
        [("", ""), ("", "")],
    ),
    gcase(
        "markdown-cells",
        ["x = 1", md("# Title\n\nSome `x = 2` text"), "y = x", md("x = (")],
        [("x", ""), ("", ""), ("y", "x"), ("", "")],
        edges=[(0, 2)],
    ),
    gcase(
        "markdown-with-python-like-text",
        [md("from os import *"), md("x = 1"), "x = 2"],
        [("", ""), ("", ""), ("x", "")],
    ),
    gcase(
        "syntax-error-cell",
        ["x = 1", "y = (", "z = y + x"],
        [("x", ""), ("", ""), ("z", "y x")],
        edges=[(0, 2)],
        errors=[("syntax", [1])],
    ),
    gcase(
        "syntax-error-cell-defines-nothing",
        ["a = 1\nb = (", "a = 2"],
        [("", ""), ("a", "")],
        errors=[("syntax", [0])],
    ),
    gcase(
        "import-star",
        ["from os import *\nz = 1", "w = z"],
        [("z", ""), ("w", "z")],
        edges=[(0, 1)],
        errors=[("import-star", [0])],
    ),
    gcase(
        "import-star-and-multiple-definitions",
        ["x = 0", "from os import *\nx = 1"],
        [("x", ""), ("x", "")],
        errors=[("multiple-definitions", [0, 1]), ("import-star", [1])],
    ),
    gcase(
        "errors-ordered-by-first-cell",
        ["a = 1", "b = (", "from os import *", "c = d", "d = c", "a = 2"],
        [("a", ""), ("", ""), ("", ""), ("c", "d"), ("d", "c"), ("a", "")],
        edges=[(3, 4), (4, 3)],
        errors=[
            ("multiple-definitions", [0, 5]),
            ("syntax", [1]),
            ("import-star", [2]),
            ("cycle", [3, 4]),
        ],
    ),
    gcase(
        "scoping-mix",
        [
            "import math",
            "class Circle:\n    pi = 3\n    def area(self):\n        return math.pi * r ** 2",
            "r = 2",
            "areas = [c.area() for c in [Circle()]]",
        ],
        [("math", ""), ("Circle", "math r"), ("r", ""), ("areas", "Circle")],
        edges=[(0, 1), (1, 3), (2, 1)],
    ),
    gcase(
        "unicode-names",
        ["π = 3.14", "τ = 2 * π"],
        [("π", ""), ("τ", "π")],
        edges=[(0, 1)],
    ),
    gcase(
        "mutating-a-global-from-a-function",
        ["cache = {}", "def put(k, v):\n    cache[k] = v"],
        [("cache", ""), ("put", "cache")],
        edges=[(0, 1)],
    ),
    gcase(
        "global-set-in-function-feeds-other-cells",
        ["def init():\n    global config\n    config = {}", "print(config)"],
        [("init config", ""), ("", "config")],
        edges=[(0, 1)],
    ),
    gcase(
        "class-body-read-before-bind-links-to-global",
        ["x = 1", "class C:\n    x = x + 1"],
        [("x", ""), ("C", "x")],
        edges=[(0, 1)],
    ),
]


@pytest.mark.parametrize(("cells", "expect", "edges", "errors"), GRAPH_CASES)
def test_graph_report(cells, expect, edges, errors):
    notebook = make_notebook(cells)
    report = graph_report(notebook)
    assert set(report) == {"cells", "edges", "errors"}
    assert report["cells"] == expected_cells(notebook, expect)
    assert report["edges"] == [list(edge) for edge in edges]
    assert [(e["kind"], e["cells"]) for e in report["errors"]] == [(k, list(c)) for k, c in errors]
    for error in report["errors"]:
        assert set(error) == {"kind", "cells", "message"}
        assert isinstance(error["message"], str) and error["message"]


def test_report_is_json_serialisable():
    notebook = make_notebook(["x = 1", "y = x", "y = (", "from os import *", "x = 2"])
    report = graph_report(notebook)
    assert json.loads(json.dumps(report)) == report


def test_graph_report_does_not_modify_the_notebook():
    notebook = make_notebook(["x = 1", md("# hi"), "y = x"])
    before = copy.deepcopy(notebook)
    graph_report(notebook)
    assert notebook == before


def test_cell_names():
    notebook = Notebook(
        cells=[
            Cell(code="x = 1", name="load"),
            Cell(code="y = x"),
            Cell(code="# notes", kind="markdown", name="notes"),
            Cell(code="z = y", name="final"),
        ]
    )
    report = graph_report(notebook)
    assert [c["name"] for c in report["cells"]] == ["load", "cell-1", "notes", "final"]
    assert [c["index"] for c in report["cells"]] == [0, 1, 2, 3]
    assert report["edges"] == [[0, 1], [1, 3]]


def test_multiple_definitions_message_names_variable_and_cells():
    notebook = Notebook(
        cells=[
            Cell(code="threshold = 1", name="setup"),
            Cell(code="other = 2", name="middle"),
            Cell(code="threshold = 3", name="override"),
        ]
    )
    (error,) = graph_report(notebook)["errors"]
    assert error["kind"] == "multiple-definitions"
    assert error["cells"] == [0, 2]
    # Both cells would be labelled `threshold`, so their positions (1-based) name them.
    assert error["message"].startswith("'threshold' is defined in cells 1 and 3; ")


def test_one_multiple_definitions_error_per_name():
    notebook = make_notebook(["alpha = 1\nbeta = 2", "alpha = 3\nbeta = 4"])
    errors = graph_report(notebook)["errors"]
    assert [(e["kind"], e["cells"]) for e in errors] == [("multiple-definitions", [0, 1])] * 2
    assert {("alpha" in e["message"], "beta" in e["message"]) for e in errors} == {(True, False), (False, True)}


def test_cycle_message_mentions_cells():
    notebook = Notebook(
        cells=[
            Cell(code="first = second", name="ping"),
            Cell(code="unrelated = 0", name="bystander"),
            Cell(code="second = first", name="pong"),
        ]
    )
    (error,) = graph_report(notebook)["errors"]
    assert error["kind"] == "cycle"
    assert error["cells"] == [0, 2]
    # Cells are named by what they define (docs/protocol.md, "Cell labels").
    assert error["message"].startswith(
        "cells 'first' and 'second' depend on each other through 'first' and 'second'"
    )


def test_syntax_error_message_has_line_and_column():
    # Python reports this error at line 3, column 9.
    notebook = make_notebook(["ok = 1", "a = 1\nb = 2\nc = 1 + * 2"])
    (error,) = graph_report(notebook)["errors"]
    assert error["kind"] == "syntax"
    assert error["cells"] == [1]
    assert "3" in error["message"]
    assert "9" in error["message"]


def test_import_star_error_in_report():
    notebook = make_notebook(["x = 1", "from itertools import *\ny = x"])
    report = graph_report(notebook)
    assert [(e["kind"], e["cells"]) for e in report["errors"]] == [("import-star", [1])]
    assert report["edges"] == [[0, 1]]


def test_errors_with_same_first_cell_are_ordered_by_kind():
    # Cell 0 is both in a cycle (with cell 1) and one of the definers of x.
    notebook = make_notebook(["x = y", "y = x", "x = 5"])
    report = graph_report(notebook)
    assert report["edges"] == [[0, 1], [1, 0], [2, 1]]
    kinds = [(e["kind"], e["cells"]) for e in report["errors"]]
    assert sorted(kinds) == [("cycle", [0, 1]), ("multiple-definitions", [0, 2])]
    # "by first cell index, then kind": ties are broken by the kind's name.
    assert kinds == [("cycle", [0, 1]), ("multiple-definitions", [0, 2])]


def test_markdown_cells_never_produce_errors_or_names():
    notebook = make_notebook([md("x = ("), md("from os import *"), md("a = b")])
    report = graph_report(notebook)
    assert report["errors"] == []
    assert report["edges"] == []
    assert all(c["defs"] == [] and c["refs"] == [] for c in report["cells"])


def test_long_chain_has_no_cycle():
    cells = ["v0 = 0"] + [f"v{i} = v{i - 1} + 1" for i in range(1, 30)]
    report = graph_report(make_notebook(cells))
    assert report["edges"] == [[i, i + 1] for i in range(29)]
    assert report["errors"] == []


def test_long_cycle_is_one_error():
    n = 12
    cells = [f"v{i} = v{(i - 1) % n}" for i in range(n)]
    report = graph_report(make_notebook(cells))
    assert [(e["kind"], e["cells"]) for e in report["errors"]] == [("cycle", list(range(n)))]
