"""The ten tutorial notebooks shipped inside marimo's wheel run here, showing what marimo shows.

marimo (pinned in requirements-dev) is only data and reference here: each
tutorial is run once by marimo itself in a subprocess (its script mode,
``app.run()``), which reports for every cell what it showed: markdown (as text),
a UI element (its kind and value), or nothing. The same file is then imported
and run by Playground's kernel, where ``import marimo`` is the compatibility
layer. Where marimo runs a tutorial cleanly, every cell must succeed here too and
show the same kind of thing with the same text or value. Where marimo refuses a
tutorial (two of them teach its rules by breaking them; one needs DuckDB), the
cells that fail here must fail for those same reasons.
"""

from __future__ import annotations

import ast
import html
import json
import os
import re
import shutil
import subprocess
import sys
from pathlib import Path
from typing import Any

import markdown as python_markdown
import pytest

from kernels.runtime.formats.marimo import loads as marimo_loads
from kernels.ui import UI_MIME
from tests.runtime.kernel_driver import Driver, errors, outputs

pytestmark = pytest.mark.subprocess

REPO_ROOT = Path(__file__).resolve().parents[2]
TUTORIALS_DIR = Path(__import__("importlib").util.find_spec("marimo").origin).parent / "_tutorials"
TUTORIALS = sorted(path.stem for path in TUTORIALS_DIR.glob("*.py") if path.stem != "__init__")

# Run inside marimo's own process: one line of JSON per cell, in file order.
_REFERENCE = r'''
import html, importlib.util, json, re, sys
spec = importlib.util.spec_from_file_location("tutorial", sys.argv[1])
module = importlib.util.module_from_spec(spec)
spec.loader.exec_module(module)
try:
    outputs, _ = module.app.run()
except Exception as error:
    print(json.dumps({"refused": f"{type(error).__name__}: {error}"}))
    raise SystemExit(0)
for output in outputs:
    kind = type(output).__name__
    shown = {"kind": kind}
    if kind == "_md":
        text = re.sub(r"<[^>]+>", " ", output.text)
        shown["text"] = html.unescape(text)
    elif "marimo._plugins.ui" in type(output).__module__:
        try:
            shown["value"] = json.loads(json.dumps(output.value, default=str))
        except Exception:
            shown["value"] = None
    print(json.dumps(shown))
'''

# marimo's element classes, by the kind of Playground element they map to.
_KINDS = {
    "slider": "slider", "number": "number", "text": "text", "text_area": "text_area",
    "checkbox": "checkbox", "switch": "switch", "dropdown": "dropdown", "radio": "radio",
    "multiselect": "multiselect", "date": "date", "range_slider": "range_slider",
    "button": "button", "run_button": "run_button", "file": "file", "table": "table",
    "array": "array", "dictionary": "dictionary", "form": "form", "tabs": "tabs",
}


def _words(text: str) -> list[str]:
    return re.findall(r"[a-z0-9]+", html.unescape(text).lower())


_NOT_COMPARED = re.compile(r"<pg-ui|\$|\\\(|\\\[")


def _comparable_markdown(text: str) -> str:
    """The markdown up to the first element formatted into it or the first math, outside
    code blocks (marimo and KaTeX show math differently; tests/browser checks ours), with
    ``/// kind | Title`` blocks reduced to their titles, as marimo shows them (Python-
    Markdown does not know them)."""
    lines, fenced = [], False
    for line in text.splitlines():
        if line.lstrip().startswith("```"):
            fenced = not fenced
        elif not fenced:
            if line.lstrip().startswith("///"):
                line = line.lstrip()[3:].partition("|")[2]
            cut = _NOT_COMPARED.search(line)
            if cut is not None:
                lines.append(line[: cut.start()])
                break
        lines.append(line)
    return "\n".join(lines)


def _markdown_words(text: str) -> list[str]:
    rendered = python_markdown.markdown(
        _comparable_markdown(text), extensions=["fenced_code", "tables"]
    )
    return _words(re.sub(r"<[^>]+>", " ", rendered))


def _in_run_outputs(cell: Any) -> bool:
    """Whether marimo's ``app.run()`` reports an output for this cell: not for the setup
    cell, nor for ``@app.class_definition`` cells (a class and nothing else)."""
    if cell.name == "setup":
        return False
    try:
        tree = ast.parse(cell.code)
    except SyntaxError:
        return True
    return not (len(tree.body) == 1 and isinstance(tree.body[0], ast.ClassDef)
                and tree.body[0].name == cell.name)


@pytest.fixture(scope="module")
def workdir(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return tmp_path_factory.mktemp("tutorials")


def _copy(name: str, workdir: Path) -> Path:
    """The tutorial in a folder of its own, under a name no library uses (markdown.py!)."""
    folder = workdir / name
    folder.mkdir(exist_ok=True)
    target = folder / f"tutorial_{name}.py"
    shutil.copy(TUTORIALS_DIR / f"{name}.py", target)
    return target


def _reference(path: Path) -> list[dict[str, Any]] | str:
    result = subprocess.run(
        [sys.executable, "-c", _REFERENCE, str(path)],
        cwd=path.parent, capture_output=True, text=True, timeout=300,
    )
    assert result.returncode == 0, result.stderr[-3000:]
    lines = [json.loads(line) for line in result.stdout.splitlines() if line.startswith("{")]
    if lines and "refused" in lines[0]:
        return str(lines[0]["refused"])
    return lines


def _ours(path: Path) -> tuple[Driver, list[Any]]:
    notebook = marimo_loads(path.read_text(), source=str(path))
    driver = Driver()
    driver.kernel.extra_globals["__file__"] = str(path)  # as `playground run` sets it
    for number, cell in enumerate(notebook.cells):
        driver.create(f"c{number}", cell.code, kind=cell.kind)
    driver.run_all()
    return driver, notebook.cells


def _shown_here(driver: Driver, cell: Any, cell_id: str) -> dict[str, Any]:
    if cell.kind == "markdown":
        return {"kind": "_md", "words": _markdown_words(cell.code)}
    data = outputs(driver.events).get(cell_id) or {}
    spec = data.get(UI_MIME)
    if spec is None:
        return {"kind": "other" if data else "NoneType"}
    if spec["kind"] == "markdown" and not spec["props"].get("html"):
        return {"kind": "_md", "words": _markdown_words(spec["props"]["text"])}
    return {"kind": spec["kind"], "value": spec["value"], "id": spec["id"]}


@pytest.mark.parametrize("name", TUTORIALS)
def test_tutorial_runs_and_shows_what_marimo_shows(name: str, workdir: Path) -> None:
    path = _copy(name, workdir)
    reference = _reference(path)
    driver, cells = _ours(path)
    failed = errors(driver.events)

    if isinstance(reference, str):
        # marimo refuses to run it; the cells failing here fail for marimo's reason.
        reasons = {error.kind for error in failed.values()} | {
            error.message.split(":")[0] for error in failed.values()
        }
        assert failed, f"marimo refused {name} ({reference}) but every cell ran here"
        if "MultipleDefinitionError" in reference or "CycleError" in reference:
            assert reasons & {"multiple-definitions", "cycle"}, reasons
        elif "duckdb" in reference:
            messages = [error.message for error in failed.values()]
            assert any("mo.sql is not supported yet" in m for m in messages), messages
            assert all("mo.sql is not supported yet" in m or m.startswith("an ancestor failed")
                       for m in messages), messages
        return

    assert not failed, {cell: error.message for cell, error in failed.items()}
    # And as a user runs it: `playground run` (with a real marimo installed beside it).
    command = subprocess.run(
        [sys.executable, "-m", "kernels.runtime.cli", "run", path.name],
        cwd=path.parent, capture_output=True, text=True, timeout=300,
        env={**os.environ, "PYTHONPATH": str(REPO_ROOT)},
    )
    assert command.returncode == 0, command.stderr[-3000:]
    compared = [(number, cell) for number, cell in enumerate(cells) if _in_run_outputs(cell)]
    assert len(compared) == len(reference), "the importer made another number of cells"
    for (number, cell), expected in zip(compared, reference, strict=True):
        shown = _shown_here(driver, cell, f"c{number}")
        where = f"{name} cell {number}"
        if expected["kind"] == "_md":
            assert shown["kind"] == "_md", (where, shown)
            ours = shown["words"][:12]
            theirs = _words(expected["text"])[: len(ours)]
            assert ours == theirs, (where, shown["words"][:20], theirs)
        elif expected["kind"] in _KINDS:
            assert shown["kind"] == _KINDS[expected["kind"]], (where, shown, expected)
            assert _same_value(driver, shown, expected["value"]), (where, shown, expected)
        elif expected["kind"] == "NoneType":
            assert shown["kind"] in ("NoneType", "_md"), (where, shown)


def _same_value(driver: Driver, shown: dict[str, Any], theirs: Any) -> bool:
    element = driver.kernel.ui.get(shown["id"])  # gone when no variable holds it
    value = element.value if element is not None else shown["value"]
    ours = json.loads(json.dumps(value, default=str))
    return bool(ours == theirs or (isinstance(theirs, list) and ours == list(theirs)))
