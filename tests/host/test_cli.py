"""The `playground` command as a user runs it: real processes, real files."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

pytestmark = pytest.mark.subprocess

ROOT = Path(__file__).resolve().parents[2]
HEADER = '''# /// playground
# version = 1
# ///
if __name__ == "__main__":
    import kernels.runtime.script
    raise SystemExit(kernels.runtime.script.main(__file__))
'''

DEMO = HEADER + '''
# %% name=total
total = sum(data)
print("total is", total)
total * 10

# %% [markdown] name=intro
# # Demo

# %% name=data
data = [1, 2, 3]
'''


def playground(*args: str, cwd: Path) -> subprocess.CompletedProcess[str]:
    env = {**os.environ, "PYTHONPATH": str(ROOT)}
    return subprocess.run(
        [sys.executable, "-m", "kernels.runtime.cli", *args],
        cwd=cwd, env=env, capture_output=True, text=True, timeout=60,
    )


def write(path: Path, text: str) -> Path:
    path.write_text(text, encoding="utf-8")
    return path


def test_run_prints_stdout_and_outputs_in_dependency_order(tmp_path):
    write(tmp_path / "demo.py", DEMO)
    result = playground("run", "demo.py", cwd=tmp_path)
    assert result.returncode == 0, result.stderr
    assert result.stdout == "total is 6\n60\n"


def test_run_exits_non_zero_naming_the_failed_cell(tmp_path):
    write(tmp_path / "bad.py", DEMO + "\n# %% name=divide\nratio = total / 0\n")
    result = playground("run", "bad.py", cwd=tmp_path)
    assert result.returncode == 1
    assert "error in cell 'divide': ZeroDivisionError: division by zero" in result.stderr
    assert "did not run successfully: 'divide'" in result.stderr
    assert "total is 6" in result.stdout, "unrelated cells still run"


def test_python_runs_a_notebook_file_as_a_script(tmp_path):
    write(tmp_path / "demo.py", DEMO)
    env = {**os.environ, "PYTHONPATH": str(ROOT)}
    result = subprocess.run([sys.executable, "demo.py"], cwd=tmp_path, env=env,
                            capture_output=True, text=True, timeout=60)
    assert result.returncode == 0, result.stderr
    assert result.stdout == "total is 6\n60\n"


def test_file_is_available_to_cells_in_script_mode(tmp_path):
    write(tmp_path / "data.txt", "hello from a file")
    write(tmp_path / "nb.py", HEADER + (
        "\n# %% name=read\nfrom pathlib import Path\n"
        "text = (Path(__file__).parent / 'data.txt').read_text()\nprint(text)\n"))
    result = playground("run", "nb.py", cwd=tmp_path)
    assert result.returncode == 0, result.stderr
    assert result.stdout == "hello from a file\n"


def test_run_ipynb_and_marimo_notebooks(tmp_path):
    notebook = {
        "nbformat": 4, "nbformat_minor": 5, "metadata": {},
        "cells": [
            {"cell_type": "markdown", "id": "m1", "metadata": {}, "source": "# Title"},
            {"cell_type": "code", "id": "c2", "metadata": {}, "execution_count": None,
             "outputs": [], "source": ["y = x + 1\n", "y"]},
            {"cell_type": "code", "id": "c1", "metadata": {}, "execution_count": None,
             "outputs": [], "source": "%matplotlib inline\nx = 41"},
        ],
    }
    write(tmp_path / "nb.ipynb", json.dumps(notebook))
    result = playground("run", "nb.ipynb", cwd=tmp_path)
    assert result.returncode == 0, result.stderr
    assert result.stdout == "42\n"
    write(tmp_path / "mo.py", '''import marimo

__generated_with = "0.25.2"
app = marimo.App(width="medium")


@app.cell
def _(x):
    y = x * 2
    y
    return (y,)


@app.cell
def _():
    x = 21
    return (x,)


if __name__ == "__main__":
    app.run()
''')
    result = playground("run", "mo.py", cwd=tmp_path)
    assert result.returncode == 0, result.stderr
    assert result.stdout == "42\n"


def test_graph_json_has_exactly_the_documented_shape(tmp_path):
    write(tmp_path / "g.py", HEADER + '''
# %% name=load
import json
raw = '[1, 2]'
data = json.loads(raw)

# %% name=use
total = sum(data)
print(total)

# %% name=again
total = 3

# %% name=_private
_x = 1
len(_x)
''')
    result = playground("graph", "g.py", "--json", cwd=tmp_path)
    assert result.returncode == 0, result.stderr
    report = json.loads(result.stdout)
    assert report["cells"] == [
        {"index": 0, "name": "load", "defs": ["data", "json", "raw"], "refs": []},
        {"index": 1, "name": "use", "defs": ["total"], "refs": ["data"]},
        {"index": 2, "name": "again", "defs": ["total"], "refs": []},
        {"index": 3, "name": "_private", "defs": [], "refs": []},
    ]
    assert report["edges"] == [[0, 1]]
    assert len(report["errors"]) == 1
    error = report["errors"][0]
    assert error["kind"] == "multiple-definitions" and error["cells"] == [1, 2]
    assert "'total'" in error["message"]
    assert set(report) == {"cells", "edges", "errors"}


def test_graph_reports_syntax_errors_with_position(tmp_path):
    write(tmp_path / "s.py", HEADER + "\n# %% name=ok\nx = 1\n\n# %% name=bad\ny = (x +\n")
    report = json.loads(playground("graph", "s.py", "--json", cwd=tmp_path).stdout)
    assert report["errors"][0]["kind"] == "syntax"
    assert report["errors"][0]["cells"] == [1]
    assert "line 1" in report["errors"][0]["message"]


@pytest.mark.parametrize(
    ("name", "content", "expected"),
    [
        ("missing.py", None, "missing.py"),
        ("bad.ipynb", "{not json", "not valid JSON"),
        ("notes.txt", "hello", "'.txt'"),
        ("old.ipynb", json.dumps({"nbformat": 3, "worksheets": []}), "nbformat"),
        ("binary.py", b"\xff\xfe\x00garbage", "UTF-8"),
    ],
)
def test_bad_input_gives_one_clear_line_and_no_traceback(tmp_path, name, content, expected):
    if isinstance(content, bytes):
        (tmp_path / name).write_bytes(content)
    elif content is not None:
        write(tmp_path / name, content)
    for command in (["run", name], ["graph", name, "--json"], ["convert", name, "-o", "o.py"]):
        result = playground(*command, cwd=tmp_path)
        assert result.returncode == 2
        assert "Traceback" not in result.stderr
        lines = result.stderr.strip().splitlines()
        assert len(lines) == 1 and lines[0].startswith("playground: error:")
        assert expected in lines[0]


def test_convert_round_trips_between_formats(tmp_path):
    write(tmp_path / "demo.py", DEMO)
    assert playground("convert", "demo.py", "-o", "demo.ipynb", cwd=tmp_path).returncode == 0
    exported = json.loads((tmp_path / "demo.ipynb").read_text())
    assert exported["nbformat"] == 4
    assert [c["cell_type"] for c in exported["cells"]] == ["code", "markdown", "code"]
    assert playground("convert", "demo.ipynb", "-o", "back.py", cwd=tmp_path).returncode == 0
    back = playground("run", "back.py", cwd=tmp_path)
    assert back.stdout == "total is 6\n60\n"
    assert (tmp_path / "back.py").read_text() == (tmp_path / "demo.py").read_text()


def test_convert_to_flat_script_runs_with_plain_python(tmp_path):
    write(tmp_path / "demo.py", DEMO)
    result = playground("convert", "demo.py", "-o", "flat.py", "--to", "script", cwd=tmp_path)
    assert result.returncode == 0, result.stderr
    flat = (tmp_path / "flat.py").read_text()
    assert flat.index("data = [1, 2, 3]") < flat.index("total = sum(data)")
    run = subprocess.run([sys.executable, "flat.py"], cwd=tmp_path, capture_output=True,
                         text=True, timeout=60)
    assert run.returncode == 0, run.stderr
    assert "total is 6" in run.stdout


def test_export_html_contains_outputs_and_sandboxes_rich_output(tmp_path):
    write(tmp_path / "demo.py", DEMO + '''
# %% name=rich
class Widget:
    def _repr_html_(self):
        return "<b id='w'>bold</b><script>document.cookie</script>"
Widget()
''')
    result = playground("export", "html", "demo.py", "-o", "page.html", cwd=tmp_path)
    assert result.returncode == 0, result.stderr
    page = (tmp_path / "page.html").read_text()
    assert "total is 6" in page and "<pre>60</pre>" in page
    assert "total = sum(data)" in page
    # Rich output only inside a sandboxed frame without same-origin access.
    assert 'sandbox="allow-scripts allow-popups"' in page
    assert "allow-same-origin" not in page
    assert "<b id='w'>" not in page.replace("&lt;", "<") or "srcdoc" in page
    assert "<script>document.cookie</script>" not in page
    hidden = playground("export", "html", "demo.py", "-o", "app.html", "--hide-code",
                        cwd=tmp_path)
    assert hidden.returncode == 0
    assert "total = sum(data)" not in (tmp_path / "app.html").read_text()
    assert "total is 6" in (tmp_path / "app.html").read_text()


def test_new_creates_a_runnable_notebook_and_never_overwrites(tmp_path):
    result = playground("new", "fresh.py", cwd=tmp_path)
    assert result.returncode == 0
    assert playground("run", "fresh.py", cwd=tmp_path).returncode == 0
    write(tmp_path / "keep.py", "precious = 1\n")
    result = playground("new", "keep.py", cwd=tmp_path)
    assert result.returncode == 2 and "already exists" in result.stderr
    assert (tmp_path / "keep.py").read_text() == "precious = 1\n"


def test_installed_console_script_exists():
    script = Path(sys.executable).parent / "playground"
    assert script.exists(), "pip install -e . puts `playground` in the venv"
    result = subprocess.run([str(script), "--version"], capture_output=True, text=True,
                            timeout=30)
    assert result.returncode == 0 and result.stdout.startswith("playground ")


def test_convert_names_every_cell_of_an_imported_notebook(tmp_path):
    notebook = {
        "nbformat": 4, "nbformat_minor": 4, "metadata": {},
        "cells": [{"cell_type": "code", "metadata": {}, "execution_count": None,
                   "outputs": [], "source": "x = 1"},
                  {"cell_type": "code", "metadata": {}, "execution_count": None,
                   "outputs": [], "source": "x + 1"}],
    }
    write(tmp_path / "old.ipynb", json.dumps(notebook))
    assert playground("convert", "old.ipynb", "-o", "new.py", cwd=tmp_path).returncode == 0
    text = (tmp_path / "new.py").read_text()
    assert "# %% name=cell-0\n" in text and "# %% name=cell-1\n" in text
    assert playground("run", "new.py", cwd=tmp_path).stdout == "2\n"


def test_failed_write_gives_one_line_and_leaves_the_target_alone(tmp_path):
    write(tmp_path / "demo.py", DEMO)
    # A directory where the output file should go: the final rename fails,
    # even for root, after the new content was written to a temporary file.
    target = tmp_path / "out.ipynb"
    target.mkdir()
    write(target / "keep.txt", "previous")
    result = playground("convert", "demo.py", "-o", "out.ipynb", cwd=tmp_path)
    assert result.returncode == 2
    assert "Traceback" not in result.stderr
    assert len(result.stderr.strip().splitlines()) == 1
    assert (target / "keep.txt").read_text() == "previous"
    assert sorted(p.name for p in tmp_path.iterdir()) == ["demo.py", "out.ipynb"], (
        "no temporary file is left behind"
    )


UI_NOTEBOOK = HEADER + '''
# %% name=make
from kernels import ui
speed = ui.slider(1, 10, value=3, label="Speed")

# %% name=use
print("distance", speed.value * 60)
'''


def test_run_uses_initial_ui_values_and_set_overrides_them(tmp_path):
    write(tmp_path / "ui.py", UI_NOTEBOOK)
    assert playground("run", "ui.py", cwd=tmp_path).stdout == "distance 180\n"
    result = playground("run", "ui.py", "--set", "speed=7", cwd=tmp_path)
    assert result.returncode == 0, result.stderr
    assert result.stdout == "distance 420\n"


@pytest.mark.parametrize(
    ("assignment", "expected"),
    [("speed=99", "between 1 and 10"), ("nothing=1", "no UI element is assigned to 'nothing'"),
     ("speed", "--set expects name=value")],
)
def test_bad_set_values_are_reported(tmp_path, assignment, expected):
    write(tmp_path / "ui.py", UI_NOTEBOOK)
    result = playground("run", "ui.py", "--set", assignment, cwd=tmp_path)
    assert result.returncode != 0
    assert expected in result.stderr
    assert "Traceback" not in result.stderr


def test_run_prints_a_progress_bar_once_not_every_update(tmp_path):
    write(tmp_path / "p.py", HEADER + '''
# %% name=loop
from kernels import ui
import time
total = 0
for i in ui.progress(range(30), title="Working"):
    time.sleep(0.01)
    total += i
total
''')
    result = playground("run", "p.py", cwd=tmp_path)
    assert result.returncode == 0, result.stderr
    assert result.stdout == "435\n"


LOUD = HEADER + '''
# %% name=loud
import sys
for i in range(5000):
    print(i)
print("warning", file=sys.stderr)
'''


def test_export_html_shows_a_thousand_lines_of_a_stream_and_counts_the_rest(tmp_path):
    write(tmp_path / "loud.py", LOUD + '''
# %% name=flood
chunk = "y" * 1023
for _ in range(3 * 1024):
    print(chunk)
''')
    result = playground("export", "html", "loud.py", "-o", "page.html", cwd=tmp_path)
    assert result.returncode == 0, result.stderr
    page = (tmp_path / "page.html").read_text()
    assert "\n999\n</pre>" in page and "\n1000\n" not in page
    assert "… 4,000 more lines of stdout not shown</p>" in page
    assert '<pre class="stderr">warning\n</pre>' in page
    # The flood: 1,000 lines shown of the 2,048 the kernel kept (2 MB); 1,024 never sent.
    assert page.count("y" * 1023) == 1000
    assert ("… 2,072 more lines of stdout not shown (1,024 of them, 1.0 MB, "
            "past the run's 2.0 MB output limit)") in page


def test_run_in_a_terminal_prints_everything_a_cell_prints(tmp_path):
    write(tmp_path / "big.py", HEADER + '''
# %% name=big
for i in range(400_000):
    print(i)
''')
    result = playground("run", "big.py", cwd=tmp_path)
    assert result.returncode == 0, result.stderr
    assert result.stdout == "".join(f"{i}\n" for i in range(400_000))  # 2.7 MB
