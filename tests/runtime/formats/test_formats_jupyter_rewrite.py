"""Importing a Jupyter notebook rewrites what the reactive model forbids, so it runs as it ran.

Each rule is checked through the import path (``loads_notebook(text, "ipynb")``):
the code it writes, and that the kernel then runs every cell in file order and
prints what the same cells print run top to bottom in one namespace.
Standard library only: these tests also run under Pyodide (numpy and pandas
notebooks are in tests/host/test_jupyter_corpus.py).
"""

from __future__ import annotations

import contextlib
import io
import json
from typing import Any

import pytest

from kernels.runtime.formats import dumps_notebook, ipynb, loads_notebook, with_cell_names
from kernels.runtime.formats.jupyter_rewrite import runs_in_file_order
from kernels.runtime.formats.script import TOP_TO_BOTTOM_HEADER, export_order
from kernels.runtime.graph import graph_report, run_order
from kernels.runtime.notebook import Cell, Notebook
from tests.growth import assert_linear_growth
from tests.runtime.kernel_driver import Driver, errors, stdout


def jupyter(*sources: str, markdown_first: str | None = None) -> str:
    """An nbformat 4.4 notebook (no cell ids) with these code cells."""
    cells: list[dict[str, Any]] = [
        {"cell_type": "code", "metadata": {}, "source": source, "outputs": [],
         "execution_count": None}
        for source in sources
    ]
    if markdown_first is not None:
        cells.insert(0, {"cell_type": "markdown", "metadata": {}, "source": markdown_first})
    return json.dumps({"nbformat": 4, "nbformat_minor": 4, "metadata": {}, "cells": cells})


def imported(*sources: str) -> Notebook:
    return loads_notebook(jupyter(*sources), "ipynb")


def code_cells(nb: Notebook) -> list[str]:
    return [cell.code for cell in nb.cells if cell.kind == "code"]


def note(nb: Notebook) -> str:
    notes = [c.code for c in nb.cells if c.kind == "markdown" and "Imported from Jupyter" in c.code]
    assert len(notes) == 1, [c.code for c in nb.cells]
    return notes[0]


def top_to_bottom(*sources: str) -> list[str]:
    """What each cell prints run in order in one namespace, magics commented out."""
    namespace: dict[str, Any] = {"__name__": "__main__"}
    printed = []
    for source in sources:
        buffer = io.StringIO()
        with contextlib.redirect_stdout(buffer):
            exec(compile(ipynb.comment_out_magics(source), "<cell>", "exec"), namespace)
        printed.append(buffer.getvalue())
    return printed


def run_here(nb: Notebook) -> tuple[Driver, list[str]]:
    """Run ``nb`` in the kernel; every cell must succeed. Returns each code cell's stdout."""
    assert graph_report(nb)["errors"] == []
    driver = Driver()
    for index, cell in enumerate(nb.cells):
        driver.create(f"c{index}", cell.code, kind=cell.kind)
    driver.run_all()
    failed = errors(driver.events)
    assert not failed, {cell: error.message for cell, error in failed.items()}
    return driver, [stdout(driver.events, f"c{i}") for i, c in enumerate(nb.cells)
                    if c.kind == "code"]


def assert_runs_as_top_to_bottom(*sources: str) -> Notebook:
    nb = imported(*sources)
    _, printed = run_here(nb)
    assert printed == top_to_bottom(*sources)
    assert run_order(nb) == list(range(len(nb.cells)))
    return nb


# --------------------------------------------------------------------------- names


def test_a_name_assigned_in_several_cells_gets_a_name_per_definition() -> None:
    nb = assert_runs_as_top_to_bottom(
        "x = 1\nprint(x)",
        "print(x * 10)",
        "x = 'two'  # again\nprint(x)",
        "print(x + '!')",
        "x = [3]",
        "print(x)",
    )
    assert code_cells(nb) == [
        "x = 1\nprint(x)",
        "print(x * 10)",
        "x_2 = 'two'  # again\nprint(x_2)",
        "print(x_2 + '!')",
        "x_3 = [3]",
        "print(x_3)",
    ]
    assert ("`x` is assigned in 3 cells; later cells read `x` (cell-1), `x_2` (cell-3) and "
            "`x_3` (cell-5)") in note(nb)


def test_new_names_avoid_names_the_notebook_already_uses() -> None:
    nb = assert_runs_as_top_to_bottom(
        "x = 1\nx_2 = 'mine'", "print(x, x_2)", "x = 5", "print(x)", "x = 6", "print(x)"
    )
    assert code_cells(nb)[2:] == ["x_3 = 5", "print(x_3)", "x_4 = 6", "print(x_4)"]


def test_a_definition_only_its_own_cell_reads_becomes_private_to_it() -> None:
    nb = assert_runs_as_top_to_bottom(
        "for i in range(2):\n    print(i)",
        "for i in 'ab':\n    print(i)",
        "fig = 'first'\nprint(fig)",
        "fig = 'second'\nprint(fig)",
        "print(fig)",
    )
    assert code_cells(nb) == [
        "for _i in range(2):\n    print(_i)",
        "for _i in 'ab':\n    print(_i)",
        "_fig = 'first'\nprint(_fig)",
        "fig = 'second'\nprint(fig)",
        "print(fig)",
    ]
    assert "later cells read `fig` (cell-4); cell-3 only uses its own value, now `_fig`" in (
        note(nb))
    assert "`i` is assigned in 2 cells; 2 cells only use their own value, now `_i`" in note(nb)


def test_augmented_assignment_starts_from_the_previous_value_and_keeps_its_object() -> None:
    nb = assert_runs_as_top_to_bottom(
        "total = 1\nitems = [1]\nalias = items",
        "total += 1\nprint(total)",
        "items += [2]  # in place, as in Jupyter: `alias` sees it",
        "print(items, alias, total)",
    )
    assert code_cells(nb)[1:] == [
        "total_2 = total\ntotal_2 += 1\nprint(total_2)",
        "items_2 = items\nitems_2 += [2]  # in place, as in Jupyter: `alias` sees it",
        "print(items_2, alias, total_2)",
    ]


def test_a_value_read_before_it_is_assigned_again_is_the_previous_one() -> None:
    assert_runs_as_top_to_bottom(
        "n = 3",
        "n = n * 2\nprint(n)",
        "n = [n for _ in range(2)]\nprint(n)",
        "if n:\n    n = len(n)\nprint(n)",
        "print(n)",
    )


def test_a_cell_that_may_not_assign_passes_the_previous_value_on() -> None:
    nb = assert_runs_as_top_to_bottom(
        "status = 'old'",
        "if False:\n    status = 'new'",
        "print(status)",
    )
    assert code_cells(nb)[1] == "status_2 = status\nif False:\n    status_2 = 'new'"


def test_a_failed_assignment_no_later_cell_reads_needs_no_previous_value() -> None:
    nb = assert_runs_as_top_to_bottom(
        "try:\n    ratio = 1 / 0\nexcept ZeroDivisionError as e:\n    print('no', e)",
        "try:\n    ratio = 1 / 0\nexcept ZeroDivisionError:\n    print('still no')",
    )
    assert code_cells(nb)[1].startswith("try:\n    _ratio = 1 / 0")


def test_changing_an_earlier_cells_object_in_place_defines_a_new_name_for_it() -> None:
    nb = assert_runs_as_top_to_bottom(
        "scores = {'a': 1}\nnames = ['x']",
        "scores['b'] = 2\nnames.append('y')",
        "print(scores, names)",
        "del scores['a']",
        "names.sort(reverse=True)\nprint(names)",
        "print(scores)",
        "import math\nlog = []",
        "log.append(math.pi)\nmath.floor(2.5)",
    )
    assert code_cells(nb)[1:] == [
        "scores_2 = scores\nscores_2['b'] = 2\nnames_2 = names\nnames_2.append('y')",
        "print(scores_2, names_2)",
        "scores_3 = scores_2\ndel scores_3['a']",
        "names_2.sort(reverse=True)\nprint(names_2)",
        "print(scores_3)",
        "import math\nlog = []",
        # Nobody reads `log` afterwards; `math` is a module, not a value of the notebook.
        "log.append(math.pi)\nmath.floor(2.5)",
    ]
    assert "`scores_2` (cell-2, changes it in place)" in note(nb)
    # The reader now depends on the cell that changed the object: running it again
    # runs the reader again.
    edges = graph_report(nb)["edges"]
    assert [2, 3] in edges and [4, 6] in edges


def test_in_place_calls_of_methods_and_functions_count_as_changes() -> None:
    nb = assert_runs_as_top_to_bottom(
        "import random\nclass Frame:\n    def __init__(self):\n        self.rows = [3, 1, 2]\n"
        "    def sort_values(self, inplace=False):\n        self.rows.sort()\nframe = Frame()"
        "\ndeck = [1, 2, 3]",
        "frame.sort_values(inplace=True)\nrandom.seed(1)\nrandom.shuffle(deck)",
        "print(frame.rows, sorted(deck))",
    )
    assert code_cells(nb)[1] == (
        "frame_2 = frame\nframe_2.sort_values(inplace=True)\nrandom.seed(1)\ndeck_2 = deck\n"
        "random.shuffle(deck_2)"
    )


def test_functions_keep_reading_the_value_their_cell_saw() -> None:
    nb = imported(
        "x = 1",
        "def show():\n    return x",
        "x = 2",
        "print(show(), x)",
    )
    assert code_cells(nb) == ["x = 1", "def show():\n    return x", "x_2 = 2",
                              "print(show(), x_2)"]
    _, printed = run_here(nb)
    assert printed[3] == "1 2\n"  # Jupyter prints 2 2: the note says why
    assert "`show` (cell-2) reads `x` when called" in note(nb)


def test_a_function_defined_after_a_redefinition_reads_it() -> None:
    assert_runs_as_top_to_bottom(
        "x = 1",
        "x = 2",
        "def show():\n    return x * 10",
        "print(show())",
    )


def test_global_statements_follow_the_rename() -> None:
    nb = assert_runs_as_top_to_bottom(
        "count = 0",
        "print(count)",
        "count = 10\ndef bump():\n    global count\n    count += 1\nbump()\nprint(count)",
        "print(count)",
    )
    assert "    global count_2\n    count_2 += 1" in code_cells(nb)[2]


def test_a_builtin_read_before_a_cell_assigns_its_name_stays_the_builtin() -> None:
    nb = assert_runs_as_top_to_bottom(
        "print(sum([1, 2]))",
        "sum = 0\nfor value in [3, 4]:\n    sum += value",
        "print(sum)",
    )
    assert code_cells(nb)[0] == "print(sum([1, 2]))"
    assert code_cells(nb)[1].startswith("sum_2 = 0")


def test_private_names_read_by_other_cells_become_public() -> None:
    nb = assert_runs_as_top_to_bottom(
        "_data = [1, 2, 3]\n_scale = 10",
        "print([value * _scale for value in _data])",
        "_tmp = 'private'\nprint(_tmp)",
        "_tmp = 'again'\nprint(_tmp)",
    )
    assert code_cells(nb) == [
        "data = [1, 2, 3]\nscale = 10",
        "print([value * scale for value in data])",
        "_tmp = 'private'\nprint(_tmp)",
        "_tmp = 'again'\nprint(_tmp)",
    ]
    assert "`_data` is read outside its cell" in note(nb)


def test_self_documenting_f_strings_print_the_original_name() -> None:
    nb = assert_runs_as_top_to_bottom(
        "value = 'one'",
        "print(value)",
        "value = 'two'\nprint(f'{value=} {value = !s} {value=:>8}')",
        "print(f'{value=}')",
    )
    assert "f'value={value_2!r} value = {value_2!s} value={value_2:>8}'" in code_cells(nb)[2]


def test_comments_and_layout_outside_renamed_names_are_kept() -> None:
    source = (
        "# a comment about x\n"
        "x = (  1 +\n"
        "       2)   # keep this spacing\n"
        "\n"
        "text = 'x is not renamed in strings'\n"
        "print(x, text, {'x': x})"
    )
    nb = assert_runs_as_top_to_bottom("x = 0", source)
    assert code_cells(nb)[1] == source.replace("x = (", "_x = (").replace(
        "print(x, text, {'x': x})", "print(_x, text, {'x': _x})"
    )


def test_local_names_and_attributes_are_not_renamed() -> None:
    nb = assert_runs_as_top_to_bottom(
        "n = 1\nclass Box:\n    n = 'attr'",
        "print(n)",
        "n = 2\ndef f(n=n):\n    return [n for n in range(n)]\nprint(f(), Box.n, (lambda n: n)(5))",
        "print(n)",
    )
    assert code_cells(nb)[2] == (
        "n_2 = 2\ndef f(n=n_2):\n    return [n for n in range(n)]\nprint(f(), Box.n, (lambda n: n)(5))"
    )


def test_imports_repeated_in_later_cells_are_commented_out() -> None:
    nb = assert_runs_as_top_to_bottom(
        "import math\nfrom json import dumps",
        "import math\nprint(math.pi)",
        "from json import dumps\nimport math as m\nprint(dumps([1]), m.e)",
        "import math as m\nprint(m.tau)",
    )
    assert code_cells(nb)[1] == "# import math\nprint(math.pi)"
    assert code_cells(nb)[2] == "# from json import dumps\nimport math as m\nprint(dumps([1]), m.e)"
    assert code_cells(nb)[3] == "# import math as m\nprint(m.tau)"
    assert "`import math` is commented out: cell-1 imports it already" in note(nb)


def test_a_different_import_of_a_name_is_renamed_like_any_definition() -> None:
    nb = assert_runs_as_top_to_bottom(
        "from math import pi as value",
        "print(value)",
        "from math import e as value",
        "print(value)",
    )
    assert code_cells(nb)[2:] == ["from math import e as value_2", "print(value_2)"]


# --------------------------------------------------------------------------- import *


def test_import_star_from_the_standard_library_becomes_the_names_used() -> None:
    nb = assert_runs_as_top_to_bottom(
        "from math import *\nprint(floor(pi))",
        "print(sqrt(16), e > 2)",
        "e = 'mine'",
        "print(e)",
    )
    assert code_cells(nb)[0] == "from math import e, floor, pi, sqrt\nprint(floor(pi))"
    assert code_cells(nb)[2:] == ["e_2 = 'mine'", "print(e_2)"]


def test_import_star_from_other_modules_takes_the_names_defined_nowhere() -> None:
    nb = imported(
        "from plotting_helpers import *\nfrom numpy import *",
        "a = array([1, 2])\nprint(sum(a), helper(a), len(a))",
        "def helper2():\n    return 1",
    )
    # numpy's `sum` replaces the builtin, `len` stays the builtin; a name read before any
    # cell defines it comes from the last star import that may hold it.
    assert code_cells(nb)[0] == (
        "# from plotting_helpers import *  # the notebook reads none of its names\n"
        "from numpy import array, helper, sum"
    )


def test_import_star_nobody_uses_is_commented_out_and_wide_lists_wrap() -> None:
    names = [f"function_number_{i}" for i in range(8)]
    nb = imported("from string import *", "from wide_module import *", "\n".join(names))
    assert code_cells(nb)[0] == "# from string import *  # the notebook reads none of its names"
    assert code_cells(nb)[1] == (
        "from wide_module import (\n"
        "    function_number_0, function_number_1, function_number_2, function_number_3,\n"
        "    function_number_4, function_number_5, function_number_6, function_number_7,\n"
        ")"
    )


# --------------------------------------------------------------------------- future


def test_future_imports_python_3_always_has_are_commented_out() -> None:
    # IPython compiles each statement on its own, so Jupyter accepts a late future import.
    nb = imported(
        "from __future__ import print_function, division\nprint(1 / 2)",
        "x = 1\nfrom __future__ import annotations\ndef f(a: Undefined) -> None:\n"
        "    pass\nprint(f.__annotations__)",
    )
    _, printed = run_here(nb)
    assert printed == ["0.5\n", "{'a': 'Undefined', 'return': 'None'}\n"]
    assert code_cells(nb)[0] == (
        "# from __future__ import print_function, division\nprint(1 / 2)"
    )
    assert code_cells(nb)[1] == (
        "from __future__ import annotations\nx = 1\n# from __future__ import annotations\n"
        "def f(a: Undefined) -> None:\n    pass\nprint(f.__annotations__)"
    )


# --------------------------------------------------------------------------- magics


def test_timeit_times_the_code_and_reports_on_stderr() -> None:
    nb = imported(
        "data = list(range(100))",
        "%timeit -n 5 sorted(data)",
        "%timeit -n 2 -r 1 total = sum(data)",
        "%%timeit -n 3\ndoubled = [x * 2 for x in data]\nlen(doubled)",
        "print(len(data))",
    )
    assert code_cells(nb)[1] == (
        "# %timeit -n 5 sorted(data)\n"
        "import sys as _sys, timeit as _timeit\n"
        "_loops, _seconds = 5, _timeit.Timer(lambda: sorted(data)).timeit(5)\n"
        'print(f"{_seconds / _loops * 1e3:.4g} ms per loop (mean of {_loops} loops)", '
        "file=_sys.stderr)"
    )
    driver, printed = run_here(nb)
    assert printed == ["", "", "", "", "100\n"]
    timings = [e.text for e in driver.events if type(e).__name__ == "Stream" and e.name == "stderr"]
    assert sum("ms per loop (mean of" in t for t in timings) == 3, timings
    # The timed code defines nothing: only `data` has a defining cell.
    assert [cell["defs"] for cell in graph_report(nb)["cells"]][2:5] == [[], [], []]


def test_time_and_prun_run_the_statement() -> None:
    nb = imported("%time squares = [i * i for i in range(4)]", "print(squares)",
                  "%%time\nprint(len(squares))", "%prun squares.sort()",
                  "%matplotlib inline\n!pip install -q seaborn\nimport json", "%%bash\necho hi",
                  "json?", "for i in range(2):\n    !echo $i")
    _, printed = run_here(nb)
    assert printed == ["", "[0, 1, 4, 9]\n", "4\n", "", "", "", "", ""]
    assert code_cells(nb) == [
        "squares = [i * i for i in range(4)]  # %time",
        "print(squares)",
        "# %%time\nprint(len(squares))",
        "squares.sort()  # %prun",
        # IPython syntax without a Python equivalent is commented out.
        "# %matplotlib inline\n# !pip install -q seaborn\nimport json",
        "# %%bash\n# echo hi",
        "# json?",
        "for i in range(2):\n    pass  # !echo $i",
    ]
    # The comments say what changed: no note.
    assert [cell.kind for cell in nb.cells] == ["code"] * 8


def test_capture_discards_printed_output() -> None:
    nb = imported("%%capture\nprint('noise')\nresult = 42", "print(result)",
                  "%%capture output\nprint('kept')", "%%capture\n!pip install -q thing")
    _, printed = run_here(nb)
    assert printed == ["", "42\n", "kept\n", ""]
    assert "`%%capture` runs with its printed output discarded" in note(nb)
    # Output kept in a variable has no Python equivalent; a body of comments needs none.
    assert code_cells(nb)[2:] == ["# %%capture output\nprint('kept')",
                                  "# %%capture\n# !pip install -q thing"]


def test_writefile_writes_the_file(tmp_path: Any, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(tmp_path)
    nb = imported("%%writefile helper_module.txt\nline one\nline 'two'",
                  "%%file -a helper_module.txt\n\nmore")
    run_here(nb)
    assert (tmp_path / "helper_module.txt").read_text() == "line one\nline 'two'\nmore"


def test_env_and_pylab_become_python() -> None:
    nb = imported("%env PLAYGROUND_TEST_VALUE=7", "%pylab inline")
    assert code_cells(nb) == [
        "import os as _os  # %env PLAYGROUND_TEST_VALUE=7\n"
        "_os.environ['PLAYGROUND_TEST_VALUE'] = '7'",
        "import numpy as np\nimport matplotlib.pyplot as plt\n"
        "# from pylab import *  # %pylab inline  # the notebook reads none of its names",
    ]


# --------------------------------------------------------------------------- the notebook


def test_the_note_follows_a_leading_markdown_cell_and_names_cells_as_they_will_be() -> None:
    text = jupyter("x = 1", "x = 2", "print(x)", markdown_first="# Title")
    nb = with_cell_names(loads_notebook(text, "ipynb"))
    assert [cell.kind for cell in nb.cells] == ["markdown", "markdown", "code", "code", "code"]
    assert nb.cells[0].code == "# Title"
    assert not any(line.startswith("#") for line in nb.cells[1].code.splitlines())
    assert "later cells read `x` (cell-3); cell-2 only uses its own value, now `_x`" in (
        nb.cells[1].code)
    assert [nb.cells[2].name, nb.cells[3].name] == ["cell-2", "cell-3"]


def test_a_notebook_that_needs_nothing_is_unchanged_but_marked_top_to_bottom() -> None:
    nb = imported("import json", "data = json.loads('[1]')", "print(data)")
    assert code_cells(nb) == ["import json", "data = json.loads('[1]')", "print(data)"]
    assert [cell.kind for cell in nb.cells] == ["code"] * 3
    assert nb.header == TOP_TO_BOTTOM_HEADER
    assert '# imported-from = "jupyter"' in dumps_notebook(with_cell_names(nb), "playground")


def test_notebooks_written_by_playground_are_read_as_the_reactive_notebooks_they_are() -> None:
    reactive = Notebook(cells=[
        Cell(code="print(total)", name="show"),  # reads a name defined below
        Cell(code="items = [1]", name="items"),
        Cell(code="items.append(2)\ntotal = sum(items)", name="total"),
    ])
    exported = ipynb.dumps(reactive)
    assert json.loads(exported)["metadata"]["playground"] == {}  # our mark
    again = loads_notebook(exported, "ipynb")
    assert again.cells == reactive.cells
    assert again.header is None


def test_cells_that_do_not_parse_are_left_alone() -> None:
    nb = imported("x = 1", "print(x)", "print x", "x = 2", "print(x)")
    assert code_cells(nb) == ["x = 1", "print(x)", "print x", "x_2 = 2", "print(x_2)"]


def test_rewriting_takes_time_linear_in_the_notebook() -> None:
    def notebook(cells: int) -> str:
        sources = []
        for i in range(cells):
            sources += [f"x = {i}\nitems = [x]", "items.append(x)\nprint(x, items)",
                        "from math import *\nimport json"]
        return jupyter(*sources)

    nb = loads_notebook(notebook(300), "ipynb")
    assert code_cells(nb)[-3] == "x_300 = 299\nitems_300 = [x_300]"
    assert_linear_growth(lambda text: loads_notebook(text, "ipynb"),
                         small=notebook(10), large=notebook(300), scale=30)


# --------------------------------------------------------------------------- script order


def test_a_script_of_an_imported_notebook_keeps_the_order_jupyter_ran_it_in() -> None:
    nb = imported(
        "print('start')\ndef report():\n    return data",
        "data = [1]\nprint('data ready')",
        "print(report())",
    )
    assert run_order(nb) == [1, 0, 2]  # the first cell reads `data` in its function
    assert export_order(nb) == [0, 1, 2]
    reactive = Notebook(cells=nb.cells, header=None)
    assert export_order(reactive) == run_order(reactive)
    # File order is kept only while it works as a script: not once a cell reads, as it
    # runs, a name only a later cell defines (a reactive edit after the import).
    edited = Notebook(cells=[Cell(code="print(later)"), *nb.cells, Cell(code="later = 1")],
                      header=nb.header)
    assert not runs_in_file_order(edited)
    assert export_order(edited) == run_order(edited)

