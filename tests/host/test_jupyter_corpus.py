"""Public Jupyter notebooks that run top to bottom run here after import, printing the same.

The notebooks (tests/host/fixtures/jupyter, sources and licenses in its README)
reassign names across cells (one defines ``x`` in 10 cells), change objects made
by earlier cells, ``import *`` and use ``%matplotlib``. Each is run twice: top to
bottom in one plain namespace in a fresh Python (magics commented out, as
``ipynb.comment_out_magics`` does), and imported with ``load_notebook`` and run by
the kernel in dependency order. Every cell must succeed in both, print the same
stdout and show the same value (the repr of its last expression), and the
imported notebook must have no graph errors and run in file order.
"""

from __future__ import annotations

import json
import os
import random
import re
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest

from kernels.runtime.formats import ipynb, load_notebook
from kernels.runtime.graph import graph_report, run_order
from tests.runtime.kernel_driver import Driver, errors, outputs, stdout

pytestmark = pytest.mark.subprocess

FIXTURES = Path(__file__).parent / "fixtures" / "jupyter"
NOTEBOOKS = sorted(path.name for path in FIXTURES.glob("*.ipynb"))
REPO = Path(__file__).resolve().parents[2]

# Top to bottom in one namespace, in a fresh interpreter: per code cell, whether it ran,
# what it printed and the repr of its last expression (as Jupyter's Out[] shows it).
# Random numbers are seeded the same way here and in the kernel run.
_TOP_TO_BOTTOM = r'''
import ast, contextlib, io, json, os, random, sys
os.environ["MPLBACKEND"] = "Agg"
sys.path.insert(0, sys.argv[2])
from kernels.runtime.formats import ipynb
notebook = ipynb.loads(open(sys.argv[1], encoding="utf-8").read())
random.seed(0)
import numpy
numpy.random.seed(0)
unseeded = numpy.random.default_rng
numpy.random.default_rng = lambda seed=None: unseeded(0 if seed is None else seed)
namespace = {"__name__": "__main__"}
for cell in notebook.cells:
    if cell.kind != "code":
        continue
    tree = ast.parse(cell.code)
    last = tree.body.pop() if tree.body and isinstance(tree.body[-1], ast.Expr) else None
    printed, value, error = io.StringIO(), None, None
    with contextlib.redirect_stdout(printed):
        try:
            exec(compile(tree, "<cell>", "exec"), namespace)
            if last is not None:
                value = eval(compile(ast.Expression(last.value), "<cell>", "eval"), namespace)
        except BaseException as exc:
            error = f"{type(exc).__name__}: {exc}"
    shown = None if value is None else repr(value)
    # np.empty shows whatever the memory held: nothing to compare, even when two runs agree.
    uninitialised = "empty(" in cell.code or "empty_like(" in cell.code
    print(json.dumps({"error": error, "stdout": printed.getvalue(), "shown": shown,
                      "uninitialised": uninitialised}))
'''

_ADDRESS = re.compile(r"0x[0-9a-fA-F]+")


def _comparable(text: str | None) -> str | None:
    """Object addresses (``<... at 0x7f...>``) differ from run to run."""
    return None if text is None else _ADDRESS.sub("0x?", text)


def _top_to_bottom(path: Path, workdir: Path) -> list[dict[str, Any]]:
    result = subprocess.run(
        [sys.executable, "-c", _TOP_TO_BOTTOM, str(path), str(REPO)],
        cwd=workdir, capture_output=True, text=True, timeout=600,
    )
    assert result.returncode == 0, result.stderr[-3000:]
    return [json.loads(line) for line in result.stdout.splitlines()]


def _here(path: Path, monkeypatch: pytest.MonkeyPatch) -> tuple[list[dict[str, Any]], Any]:
    notebook = load_notebook(path)
    random.seed(0)
    import numpy

    numpy.random.seed(0)
    unseeded = numpy.random.default_rng
    monkeypatch.setattr(numpy.random, "default_rng",
                        lambda seed=None: unseeded(0 if seed is None else seed))
    driver = Driver()
    ids = [f"c{index}" for index in range(len(notebook.cells))]
    for cell_id, cell in zip(ids, notebook.cells, strict=True):
        driver.create(cell_id, cell.code, kind=cell.kind)
    driver.run_all()
    failed = errors(driver.events)
    shown = outputs(driver.events)
    results = []
    for cell_id, cell in zip(ids, notebook.cells, strict=True):
        if cell.kind != "code":
            continue
        data = shown.get(cell_id) or {}
        results.append({
            "error": failed[cell_id].message if cell_id in failed else None,
            "stdout": stdout(driver.events, cell_id),
            "shown": data.get("text/plain"),
            "image": "image/png" in data,
        })
    return results, notebook


@pytest.fixture(autouse=True)
def _agg_backend(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    monkeypatch.setenv("MPLBACKEND", "Agg")
    monkeypatch.chdir(tmp_path)  # some notebooks write files


@pytest.mark.parametrize("name", NOTEBOOKS)
def test_notebook_runs_here_as_it_ran_top_to_bottom(
    name: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    path = FIXTURES / name
    reference = _top_to_bottom(path, tmp_path)
    assert all(cell["error"] is None for cell in reference), "the fixture must run as it is"
    # What differs between two plain runs (np.empty's uninitialised memory, clocks) says
    # nothing about the import: only what a second run reproduces is compared.
    again = _top_to_bottom(path, tmp_path)
    for first, second in zip(reference, again, strict=True):
        for key in ("stdout", "shown"):
            if first["uninitialised"] or _comparable(first[key]) != _comparable(second[key]):
                first[key] = None
    # Read as it is (magics commented out, nothing renamed), it breaks the reactive rules.
    raw = ipynb.loads(path.read_text(encoding="utf-8"))
    kinds = {error["kind"] for error in graph_report(raw)["errors"]}
    assert kinds & {"multiple-definitions", "import-star"}

    here, notebook = _here(path, monkeypatch)

    assert graph_report(notebook)["errors"] == []
    assert run_order(notebook) == list(range(len(notebook.cells)))
    assert len(here) == len(reference), "the import changed the number of code cells"
    for number, (ours, theirs) in enumerate(zip(here, reference, strict=True)):
        where = f"{name}, code cell {number}"
        assert ours["error"] is None, (where, ours["error"])
        if theirs["stdout"] is not None:
            assert _comparable(ours["stdout"]) == _comparable(theirs["stdout"]), where
        if theirs["shown"] is not None and ours["shown"] is not None and not ours["image"]:
            assert _comparable(ours["shown"]) == _comparable(theirs["shown"]), where



def _playground(*args: str, cwd: Path) -> subprocess.CompletedProcess[str]:
    env = {**os.environ, "PYTHONPATH": str(REPO), "MPLBACKEND": "Agg"}
    return subprocess.run([sys.executable, "-m", "kernels.runtime.cli", *args], cwd=cwd,
                          env=env, capture_output=True, text=True, timeout=600)


def test_the_commands_run_convert_and_export_a_jupyter_notebook_as_it_ran(
    tmp_path: Path,
) -> None:
    notebook = {
        "nbformat": 4, "nbformat_minor": 4, "metadata": {},
        "cells": [
            {"cell_type": "code", "metadata": {}, "outputs": [], "execution_count": None,
             "source": source}
            for source in (
                "print('start')\ndef report():\n    return data",
                "data = [1]\nprint('data ready')",
                "data.append(2)\ndata += [3]\nprint(report(), data)",
            )
        ],
    }
    (tmp_path / "nb.ipynb").write_text(json.dumps(notebook), encoding="utf-8")

    run = _playground("run", "nb.ipynb", cwd=tmp_path)
    assert run.returncode == 0, run.stderr
    assert run.stdout.splitlines() == ["data ready", "start", "[1, 2, 3] [1, 2, 3]"]

    assert _playground("convert", "nb.ipynb", "-o", "nb.py", cwd=tmp_path).returncode == 0
    converted = (tmp_path / "nb.py").read_text(encoding="utf-8")
    assert '# imported-from = "jupyter"\n' in converted
    assert "_data = data\n_data.append(2)\n_data += [3]" in converted

    exported = _playground("export", "script", "nb.py", "-o", "flat.py", cwd=tmp_path)
    assert exported.returncode == 0, exported.stderr
    script = subprocess.run([sys.executable, "flat.py"], cwd=tmp_path, capture_output=True,
                            text=True, timeout=60)
    assert script.returncode == 0, script.stderr
    # In the order Jupyter ran the cells, not the order the graph would pick.
    assert script.stdout.splitlines() == ["start", "data ready", "[1, 2, 3] [1, 2, 3]"]
