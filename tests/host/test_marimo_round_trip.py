"""marimo files round trip: what we write, real marimo reads as the same notebook.

marimo (pinned in requirements-dev) is the reference here and runs only in
subprocesses. For each of the ten tutorials shipped in its wheel: we import the
file and export it again (``playground export marimo``); marimo loads both files
the way its script mode does (``importlib``) and reports its graph, cell by cell
(name, config, code or markdown, definitions, references), and what ``app.run()``
shows. The graphs must be equal, and the exported notebook must run as the original
does (or be refused for the same reason). Our writer must also produce what marimo's
own code generator writes for the same cells.
"""

from __future__ import annotations

import json
import os
import re
import shutil
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest

from kernels.runtime.formats import marimo, marimo_export, pyfile
from tests.runtime.formats.test_formats_marimo_export import KINDS, KINDS_TEXT

pytestmark = pytest.mark.subprocess

ROOT = Path(__file__).resolve().parents[2]
TUTORIALS_DIR = Path(__import__("importlib").util.find_spec("marimo").origin).parent / "_tutorials"
TUTORIALS = sorted(path.stem for path in TUTORIALS_DIR.glob("*.py") if path.stem != "__init__")

# In marimo's process: its view of a notebook file, one JSON line per cell in order.
_GRAPH = r'''
import importlib.util, json, sys
from marimo._ast.app import InternalApp
spec = importlib.util.spec_from_file_location("notebook", sys.argv[1])
module = importlib.util.module_from_spec(spec)
spec.loader.exec_module(module)
for data in InternalApp(module.app).cell_manager.cell_data():
    cell = data.cell
    markdown = cell._cell.markdown if cell is not None else None
    print(json.dumps({
        "name": data.name,
        "config": data.config.asdict(),
        # marimo keeps a markdown string's quote prefix; the text is what matters.
        "code": None if markdown else data.code,
        "markdown": markdown,
        "defs": None if cell is None else sorted(cell.defs),
        "refs": None if cell is None else sorted(cell.refs),
    }))
'''

# In marimo's process: what app.run() shows for each cell, or why it refuses.
_RUN = r'''
import html, importlib.util, json, re, sys
path = sys.argv[1]
own_source = open(path, encoding="utf-8").read()
spec = importlib.util.spec_from_file_location("notebook", path)
module = importlib.util.module_from_spec(spec)
spec.loader.exec_module(module)
try:
    outputs, _ = module.app.run()
except Exception as error:
    print(json.dumps({"refused": type(error).__name__}))
    raise SystemExit(0)
for output in outputs:
    kind = type(output).__name__
    shown = {"kind": kind}
    if kind == "_md":
        shown["text"] = html.unescape(re.sub(r"<[^>]+>", " ", output.text))
    elif "marimo._plugins.ui" in type(output).__module__:
        value = output.value
        # A notebook showing its own file (fileformat.py): the files differ, by design.
        shown["value"] = "<own source>" if value == own_source else json.loads(
            json.dumps(value, default=str))
    print(json.dumps(shown))
'''

# In marimo's process: marimo's code generator, for a file or for given cells.
_GENERATE = r'''
import json, sys
from marimo._ast.codegen import generate_filecontents, generate_filecontents_from_ir
from marimo._ast.cell import CellConfig
from marimo._ast.parse import parse_notebook
request = json.loads(sys.stdin.read())
if "path" in request:
    text = open(request["path"], encoding="utf-8").read()
    sys.stdout.write(generate_filecontents_from_ir(parse_notebook(text)))
else:
    configs = [CellConfig(**config) for config in request["configs"]]
    sys.stdout.write(generate_filecontents(request["codes"], request["names"], configs))
'''


def _marimo(script: str, *args: str, stdin: str = "", cwd: Path | None = None) -> str:
    result = subprocess.run(
        [sys.executable, "-c", script, *args],
        input=stdin, cwd=cwd, capture_output=True, text=True, timeout=300,
    )
    assert result.returncode == 0, result.stderr[-3000:]
    return result.stdout


def _lines(output: str) -> list[dict[str, Any]]:
    return [json.loads(line) for line in output.splitlines() if line.startswith("{")]


def _in_marimo(script: str, pair: tuple[Path, Path]) -> tuple[list[Any], list[Any]]:
    """What ``script`` reports in marimo for the original file, then for our export."""
    original, exported = pair
    return (
        _lines(_marimo(script, str(original), cwd=original.parent)),
        _lines(_marimo(script, str(exported), cwd=exported.parent)),
    )


def _export_marimo(source: Path, target: Path) -> None:
    """``playground export marimo SOURCE -o TARGET``, as a user runs it."""
    result = subprocess.run(
        [sys.executable, "-m", "kernels.runtime.cli", "export", "marimo", str(source),
         "-o", str(target)],
        env={**os.environ, "PYTHONPATH": str(ROOT)}, capture_output=True, text=True, timeout=120,
    )
    assert result.returncode == 0, result.stderr


@pytest.fixture(scope="module")
def files(tmp_path_factory: pytest.TempPathFactory) -> dict[str, tuple[Path, Path]]:
    """Each tutorial and our export of it, in a folder of its own, under names no
    library uses (markdown.py!); the export made by the command a user runs."""
    made: dict[str, tuple[Path, Path]] = {}
    for name in TUTORIALS:
        folder = tmp_path_factory.mktemp(name)
        original = folder / f"tutorial_{name}.py"
        shutil.copy(TUTORIALS_DIR / f"{name}.py", original)
        exported = folder / f"exported_{name}.py"
        _export_marimo(original, exported)
        made[name] = (original, exported)
    return made


@pytest.mark.parametrize("name", TUTORIALS)
def test_marimo_reads_our_export_as_the_same_graph(
    name: str, files: dict[str, tuple[Path, Path]]
) -> None:
    theirs, ours = _in_marimo(_GRAPH, files[name])
    assert len(theirs) > 3
    assert [cell["name"] for cell in ours] == [cell["name"] for cell in theirs]
    for number, (mine, expected) in enumerate(zip(ours, theirs, strict=True)):
        assert mine == expected, f"{name} cell {number}"


@pytest.mark.parametrize("name", TUTORIALS)
def test_marimo_runs_our_export_as_it_runs_the_original(
    name: str, files: dict[str, tuple[Path, Path]]
) -> None:
    theirs, ours = _in_marimo(_RUN, files[name])
    assert theirs, name
    # Three tutorials are refused by marimo (two break its rules on purpose, one needs
    # DuckDB): the export is refused for the same reason.
    assert ours == theirs


@pytest.mark.parametrize("name", TUTORIALS)
def test_tutorial_imported_exported_and_imported_again_is_unchanged(
    name: str, files: dict[str, tuple[Path, Path]]
) -> None:
    original, exported = files[name]
    first = marimo.loads(original.read_text(encoding="utf-8"))
    text = exported.read_text(encoding="utf-8")
    assert text == marimo_export.dumps(first)
    assert marimo.loads(text) == first


@pytest.mark.parametrize("name", TUTORIALS)
def test_our_export_is_what_marimo_itself_writes(
    name: str, files: dict[str, tuple[Path, Path]]
) -> None:
    original, exported = files[name]
    theirs = _marimo(_GENERATE, stdin=json.dumps({"path": str(original)}))
    # Two things our notebooks do not keep: the App's options (width, title), and
    # whether a markdown string was raw (we always write r"""...""", as marimo does
    # for new markdown cells; the text is the same).
    theirs = re.sub(r"^app = marimo\.App\(.*\)$", "app = marimo.App()", theirs, flags=re.M)
    theirs = theirs.replace('    mo.md("""\n', '    mo.md(r"""\n')
    assert exported.read_text(encoding="utf-8") == theirs


def test_every_kind_of_cell_is_written_as_marimos_code_generator_writes_it() -> None:
    # marimo is given the same cells: the setup cell, the cell importing mo for the
    # markdown, markdown as the mo.md call it is in marimo; reusable definitions
    # carry marimo's "*" mark, as its own parser gives them.
    setup, *rest = KINDS.cells
    codes = [setup.code, marimo.MO_IMPORT_CELL]
    names = ["setup", "_"]
    configs = [{"hide_code": True}, {"hide_code": True}]
    for cell in rest:
        reusable = cell.name in ("double", "Point")
        codes.append(f'mo.md(r"""\n{cell.code}\n""")' if cell.kind == "markdown" else cell.code)
        names.append(f"*{cell.name}" if reusable else cell.name or "_")
        configs.append({"disabled": cell.config.disabled, "hide_code": cell.config.hide_code})
    request = {"codes": codes, "names": names, "configs": configs}
    assert _marimo(_GENERATE, stdin=json.dumps(request)) == KINDS_TEXT
    assert marimo_export.dumps(KINDS) == KINDS_TEXT


def test_export_marimo_command_writes_what_marimo_reads(tmp_path: Path) -> None:
    notebook = tmp_path / "ours.py"
    notebook.write_text(pyfile.dumps(KINDS), encoding="utf-8")
    target = tmp_path / "theirs.py"
    _export_marimo(notebook, target)
    assert target.read_text(encoding="utf-8") == KINDS_TEXT
    graph = _lines(_marimo(_GRAPH, str(target), cwd=tmp_path))
    by_name = {cell["name"]: cell for cell in graph}
    assert by_name["load"]["defs"] == ["data", "total"]
    assert by_name["broken"]["defs"] is None  # unparsable, as written
    assert by_name["*double"]["defs"] == ["double"]
    assert by_name["scaled"]["refs"] == ["total"]
    assert [cell["name"] for cell in graph][:2] == ["setup", "_"]
