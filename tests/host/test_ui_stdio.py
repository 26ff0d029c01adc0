"""Every UI element through `playground kernel --stdio`, and `playground run --set`.

For each element with a value: setting it re-runs exactly the cells that
read it (and their descendants), never the cell that made it; the value
survives unrelated runs; re-running the making cell resets it; a burst of
values sent while a reader is busy costs one run and the latest value wins.

No sleeps: the reader is held busy by ``input()`` until the burst is sent, and the
end of each step is a sentinel run (``settle``), never a pause (docs/testing.md).
"""

from __future__ import annotations

import base64
import json
import os
import subprocess
import sys
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pytest

from kernels.transports.stdio_client import StdioKernelClient, start_kernel_process

ROOT = Path(__file__).resolve().parents[2]

pytestmark = pytest.mark.subprocess

UI_MIME = "application/vnd.playground.ui+json"


class UIKernel(StdioKernelClient):
    """A stdio kernel with a notebook around one element, and a way to wait for quiet."""

    def __init__(self) -> None:
        super().__init__(start_kernel_process())
        self.send(type="create_cell", cell_id="ping", code="None")

    def settle(self, *messages: dict[str, Any]) -> list[dict[str, Any]]:
        """Send ``messages``, then wait until the kernel has handled them; their events."""
        mark = len(self.events)
        for message in messages:
            self.send(**message)
        self.send(type="run", cell_ids=["ping"])
        # The sentinel: commands run in order, so once ping's run is over, so is theirs.
        self.wait_until(lambda: any(e["type"] == "run_completed" and e["ran"] == ["ping"]
                                    for e in self.events[mark:]))
        return self.events[mark:]


def ran(events: list[dict[str, Any]]) -> list[str]:
    return [c for e in events if e["type"] == "run_completed" and e["ran"] != ["ping"]
            for c in e["ran"]]


def shown(events: list[dict[str, Any]], cell_id: str) -> list[str]:
    """The text outputs of a cell, in order ("None" for no output: the value was None)."""
    return [e["data"].get("text/plain", "None") for e in events
            if e["type"] == "output" and e["cell_id"] == cell_id]


def problems(events: list[dict[str, Any]]) -> list[str]:
    return [e["message"] for e in events if e["type"] in ("protocol_error", "cell_error")]


def first_child(spec: dict[str, Any]) -> str:
    elements = spec["props"]["elements"]
    first = elements[0]
    return first["id"] if "id" in first else first["element"]["id"]


@dataclass
class Case:
    """One element: how to make and read it, a change, and a burst with its final result."""

    make: str
    initial: str
    change: tuple[Any, str]
    burst: list[Any]
    final: str
    read: str = "el.value"
    kind: str = ""
    target: Callable[[dict[str, Any]], str] = field(default=lambda spec: spec["id"])
    resets_after_run: bool = False  # a run button is True only in the run its click starts


def _file(name: str, data: bytes) -> dict[str, Any]:
    return {"name": name, "type": "text/plain", "size": len(data),
            "contents": base64.b64encode(data).decode("ascii")}


def _typing(text: str) -> list[str]:
    return [text[:i] for i in range(1, len(text) + 1)]


CASES = {
    "slider": Case("ui.slider(0, 100, value=3)", "3", (5, "5"), list(range(1, 31)), "30"),
    "range_slider": Case("ui.range_slider(0, 100)", "(0, 100)", ([10, 20], "(10, 20)"),
                         [[0, i] for i in range(1, 31)], "(0, 30)"),
    "number": Case("ui.number(0, 1000, value=1)", "1", (7, "7"), list(range(1, 31)), "30"),
    "text": Case("ui.text('a')", "'a'", ("hello", "'hello'"), _typing("hello world!"),
                 "'hello world!'"),
    "text_area": Case("ui.text_area()", "''", ("a\nb", "'a\\nb'"), _typing("line\nnext"),
                      "'line\\nnext'"),
    "dropdown": Case("ui.dropdown({'S': 1, 'M': 5, 'L': 10}, value='S')", "1", ("L", "10"),
                     ["S", "L", None, "S", "M"] * 4, "5"),
    "multiselect": Case("ui.multiselect(['a', 'b', 'c'])", "[]", (["b"], "['b']"),
                        [["a"], ["a", "b"], [], ["b"], ["c", "a"]] * 4, "['c', 'a']"),
    "checkbox": Case("ui.checkbox()", "False", (True, "True"), [True, False] * 10, "False"),
    "switch": Case("ui.switch(value=True)", "True", (False, "False"), [False, True] * 10, "True"),
    "radio": Case("ui.radio(['x', 'y', 'z'])", "None", ("y", "'y'"), ["x", "y", "z"] * 7,
                  "'z'"),
    "date": Case("ui.date('2024-01-01')", "datetime.date(2024, 1, 1)",
                 ("2024-02-03", "datetime.date(2024, 2, 3)"),
                 [f"2024-03-{day:02d}" for day in range(1, 29)], "datetime.date(2024, 3, 28)"),
    "file": Case("ui.file(multiple=True)", "[]",
                 ([_file("a.txt", b"hi")], "[('a.txt', b'hi')]"),
                 [[_file(f"f{i}.txt", b"x" * i)] for i in range(10)], "[('f9.txt', 9)]",
                 read="[(f.name, f.contents if f.size < 3 else f.size) for f in el.value]"),
    "table": Case("ui.table([{'n': i} for i in range(50)])", "[]", ([3], "[{'n': 3}]"),
                  [[i] for i in range(30)], "[{'n': 29}]"),
    "dataframe": Case("ui.dataframe({'n': list(range(50))})", "[0, 1, 2]",
                      ({"filters": [{"column": "n", "op": ">=", "value": 10}]}, "[10, 11, 12]"),
                      [{"filters": [{"column": "n", "op": ">=", "value": i}]}
                       for i in range(1, 31)], "[30, 31, 32]", read="el.value['n'][:3]"),
    "array": Case("ui.array([ui.slider(0, 100), ui.text()])", "[0, '']", (5, "[5, '']"),
                  list(range(1, 31)), "[30, '']", target=first_child),
    "dictionary": Case("ui.dictionary({'a': ui.slider(0, 100), 'b': ui.checkbox()})",
                       "{'a': 0, 'b': False}", (5, "{'a': 5, 'b': False}"),
                       list(range(1, 31)), "{'a': 30, 'b': False}", target=first_child),
    "form": Case("ui.form({'name': ui.text(), 'n': ui.number(0, 100)})", "None",
                 ({"name": "Ada", "n": 3}, "{'name': 'Ada', 'n': 3}"),
                 [{"name": "Ada", "n": i} for i in range(1, 31)], "{'name': 'Ada', 'n': 30}"),
    "tabs": Case("ui.tabs({'A': 1, 'B': 'two', 'C': ui.slider(0, 1)})", "'A'", ("B", "'B'"),
                 ["A", "B", "C"] * 7, "'C'"),
    "accordion": Case("ui.accordion({'A': 1, 'B': 2}, multiple=True)", "[]", (["A"], "['A']"),
                      [["B"], [], ["A", "B"]] * 7, "['A', 'B']"),
    "button": Case("ui.button()", "0", (None, "1"), [None] * 20, "21"),
    "run_button": Case("ui.run_button()", "False", (None, "True"), [None] * 20, "True",
                       resets_after_run=True),
}


@pytest.mark.parametrize("name", sorted(CASES))
def test_every_element_over_stdio(name):
    case = CASES[name]
    kernel = UIKernel()
    try:
        _exercise(kernel, name, case)
    finally:
        kernel.close()


def _exercise(kernel: UIKernel, name: str, case: Case) -> None:
    cells = [
        ("setup", "from kernels import ui"),
        # A token: a run of the reader that finds one takes it and waits for input.
        ("hold", "hold = []"),
        ("make", f"el = {case.make}\nel"),
        ("read", f"_held = input('busy') if hold and hold.pop() else None\n"
                 f"seen = {case.read}\nseen"),
        ("after", "after = (len(repr(seen)), 'after')"),
        ("other", "other = 'unrelated'"),
    ]
    for cell_id, code in cells:
        kernel.send(type="create_cell", cell_id=cell_id, code=code)
    events = kernel.settle(
        {"type": "run", "cell_ids": ["setup", "hold", "make", "read", "after"]}
    )
    assert not problems(events)
    spec = [e for e in events if e["type"] == "output" and e["cell_id"] == "make"][-1]["data"]
    spec = spec[UI_MIME]
    assert spec["kind"] == (case.kind or name)
    assert json.loads(json.dumps(spec)) == spec
    assert shown(events, "read") == [case.initial]
    target = case.target(spec)

    # A change re-runs the readers and their descendants, never the making cell.
    wire, expected = case.change
    events = kernel.settle({"type": "set_ui_value", "object_id": target, "value": wire})
    assert not problems(events)
    assert ran(events) == ["read", "after"]
    assert shown(events, "read") == [expected]

    # Unrelated runs leave the value alone.
    events = kernel.settle({"type": "run", "cell_ids": ["other"]})
    assert ran(events) == ["other"]
    events = kernel.settle({"type": "run", "cell_ids": ["read"]})
    assert shown(events, "read") == [case.initial if case.resets_after_run else expected]

    # A burst while the reader is busy: one run for all of it, the latest value wins. The
    # reader waits in input() until the whole burst is sent; the kernel reads stdin in
    # order, so every value is queued before the reply lets the reader go on.
    mark = len(kernel.events)
    kernel.send(type="update_cell", cell_id="hold", code="hold = [True]")
    kernel.send(type="run", cell_ids=["hold"])  # runs the reader, which takes the token
    kernel.wait_until(lambda: any(e["type"] == "input_request" and e["cell_id"] == "read"
                                  for e in kernel.events[mark:]))
    for value in case.burst:
        kernel.send(type="set_ui_value", object_id=target, value=value)
    kernel.send(type="input_reply", cell_id="read", text="")
    kernel.settle()
    events = kernel.events[mark:]
    assert not problems(events)
    runs = [c for c in ran(events) if c == "read"]
    assert len(runs) == 2, f"{len(runs) - 1} runs for {len(case.burst)} changes"  # held + 1
    assert shown(events, "read")[-1] == case.final

    # Re-running the making cell makes the element anew from its arguments.
    events = kernel.settle({"type": "run", "cell_ids": ["make"]})
    assert ran(events) == ["make", "read", "after"]
    assert shown(events, "read") == [case.initial]
    assert kernel.close() == 0


PNG = base64.b64decode(
    "iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mNk+M9QDwADhgGAWjR9awAAAABJRU5ErkJggg=="
)


def test_layouts_markdown_and_images_show_live_elements_over_stdio():
    kernel = UIKernel()
    try:
        kernel.send(type="create_cell", cell_id="make", code=(
            "from kernels import ui\nimport base64\n"
            f"png = base64.b64decode({base64.b64encode(PNG).decode()!r})\n"
            "speed = ui.slider(0, 10, label='Speed')\n"
            "view = ui.vstack([ui.hstack([speed, 'km/h']), ui.md(f'Now: {speed}'), "
            "ui.image(png, label='dot')])\nview"))
        kernel.send(type="create_cell", cell_id="read", code="speed.value")
        kernel.send(type="create_cell", cell_id="read_view", code="type(view).__name__")
        events = kernel.settle({"type": "run_all"})
        assert not problems(events)
        view = [e for e in events if e["type"] == "output" and e["cell_id"] == "make"][-1]
        spec = view["data"][UI_MIME]
        row, note, picture = spec["props"]["items"]
        assert row[UI_MIME]["kind"] == "hstack"
        assert row[UI_MIME]["props"]["items"][0][UI_MIME]["id"] == "make:0"
        assert note[UI_MIME]["props"]["elements"][0]["id"] == "make:0"
        assert picture[UI_MIME]["props"]["src"].startswith("data:image/png;base64,")
        assert "image/png" in picture

        # The slider inside them is live: its readers run, not the layout's.
        events = kernel.settle({"type": "set_ui_value", "object_id": "make:0", "value": 4})
        assert ran(events) == ["read"] and shown(events, "read") == ["4"]
        # Layouts have no value to set.
        events = kernel.settle({"type": "set_ui_value", "object_id": spec["id"], "value": 1})
        assert not ran(events)
        assert "has no value to set" in problems(events)[0]
    finally:
        kernel.close()


def test_progress_updates_the_running_cell_over_stdio():
    kernel = UIKernel()
    try:
        kernel.send(type="create_cell", cell_id="loop", code=(
            "from kernels import ui\nimport time\n"
            "for _ in ui.progress(range(400), title='Working'):\n    time.sleep(0.0025)\n'done'"))
        events = kernel.settle({"type": "run", "cell_ids": ["loop"]})
        outputs = [e["data"] for e in events if e["type"] == "output" and e["cell_id"] == "loop"]
        bars = [o[UI_MIME]["props"] for o in outputs if UI_MIME in o]
        assert outputs[-1] == {"text/plain": "'done'"}
        assert bars[0]["current"] == 0 and bars[-1]["done"] and bars[-1]["current"] == 400
        elapsed = bars[-1]["elapsed"]
        assert elapsed >= 0.9
        assert 3 <= len(bars) <= elapsed * 10 + 3, f"{len(bars)} updates in {elapsed:.2f}s"
    finally:
        kernel.close()


def test_bad_values_get_protocol_errors_naming_the_element_over_stdio():
    kernel = UIKernel()
    try:
        kernel.send(type="create_cell", cell_id="make", code=(
            "from kernels import ui\nsize = ui.dropdown(['S', 'M'], label='Size')\n"
            "upload = ui.file(max_size=4)"))
        kernel.send(type="create_cell", cell_id="read", code="(size.value, upload.value)")
        kernel.settle({"type": "run_all"})
        events = kernel.settle(
            {"type": "set_ui_value", "object_id": "make:0", "value": "XL"},
            {"type": "set_ui_value", "object_id": "make:1", "value": [_file("big.txt", b"12345")]},
        )
        assert not ran(events)
        first, second = problems(events)
        assert first.startswith("<dropdown 'Size' value=None>: expected one of the option labels")
        assert "file 'big.txt' is too large" in second and "max_size=" in second
    finally:
        kernel.close()


# -- playground run --set ------------------------------------------------------

HEADER = '''# /// playground
# version = 1
# ///
'''

SET_NOTEBOOK = HEADER + '''
# %% name=make
from kernels import ui
size = ui.dropdown({"Small": 1, "Large": 100}, value="Small", label="Size")
name = ui.text("nobody", label="Name")
day = ui.date("2024-01-01")
tags = ui.multiselect(["a", "b", "c"])
signup = ui.form({"email": ui.text()})

# %% name=use
print(name.value, size.value * 2, day.value.isoformat(), tags.value, signup.value)
'''


def playground(*args: str, cwd: Path) -> subprocess.CompletedProcess[str]:
    env = {**os.environ, "PYTHONPATH": str(ROOT)}
    return subprocess.run(
        [sys.executable, "-m", "kernels.runtime.cli", *args],
        cwd=cwd, env=env, capture_output=True, text=True, timeout=60,
    )


def test_run_uses_initial_values_and_set_overrides_non_slider_elements(tmp_path):
    (tmp_path / "nb.py").write_text(SET_NOTEBOOK, encoding="utf-8")
    result = playground("run", "nb.py", cwd=tmp_path)
    assert result.returncode == 0, result.stderr
    assert result.stdout == "nobody 2 2024-01-01 [] None\n"
    result = playground(
        "run", "nb.py", "--set", "size=Large", "--set", "name=Ada Lovelace",
        "--set", "day=2025-12-24", "--set", 'tags=["c", "a"]',
        "--set", 'signup={"email": "ada@example.org"}', cwd=tmp_path,
    )
    assert result.returncode == 0, result.stderr
    assert result.stdout == (
        "Ada Lovelace 200 2025-12-24 ['c', 'a'] {'email': 'ada@example.org'}\n"
    )


@pytest.mark.parametrize(("assignment", "expected"), [
    ("size=Huge", "expected one of the option labels 'Small', 'Large' or null, not 'Huge'"),
    ("day=tomorrow", "cannot set 'day' to that value: the value must be a date as YYYY-MM-DD"),
    ('tags=["z"]', "expected option labels from 'a', 'b', 'c', not 'z'"),
])
def test_run_reports_bad_set_values_for_other_elements(tmp_path, assignment, expected):
    (tmp_path / "nb.py").write_text(SET_NOTEBOOK, encoding="utf-8")
    result = playground("run", "nb.py", "--set", assignment, cwd=tmp_path)
    assert result.returncode != 0
    assert expected in result.stderr
    assert "Traceback" not in result.stderr
