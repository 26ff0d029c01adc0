"""marimo playground links open and run on /play, with `import marimo as mo` served by us.

Each notebook is a marimo ``.py`` file in a ``#code/`` link, as marimo's own
playground makes them; nothing is installed for ``import marimo`` (the page
fetches no /wheels/ index for it).
"""

from __future__ import annotations

import importlib.util
from pathlib import Path
from textwrap import dedent

import pytest
from playwright.sync_api import Request, expect

from tests.browser.notebook_page import NotebookPage, exact_text, play_url

# The tutorials marimo ships in its wheel (marimo is a test dependency, read as data).
TUTORIALS_DIR = Path(importlib.util.find_spec("marimo").origin).parent / "_tutorials"


def marimo_file(*cells: str) -> str:
    """A marimo notebook: each cell's code in an ``@app.cell`` function."""
    functions = []
    for code in cells:
        body = "\n".join(f"    {line}" if line else "" for line in dedent(code).splitlines())
        functions.append(f"@app.cell\ndef _():\n{body}\n    return\n")
    return (
        'import marimo\n\n__generated_with = "0.25.2"\napp = marimo.App()\n\n\n'
        + "\n\n".join(functions)
        + '\n\nif __name__ == "__main__":\n    app.run()\n'
    )


def _open(notebook: NotebookPage, source: str) -> list[str]:
    fetched: list[str] = []

    def record(request: Request) -> None:
        # The package proxy (/wheels/simple/, /wheels/files/), not the runtime's own wheel.
        if "/wheels/simple/" in request.url or "/wheels/files/" in request.url:
            fetched.append(request.url)

    notebook.page.on("request", record)
    notebook.open(play_url(source))
    notebook.run_all()
    return fetched


def test_a_marimo_slider_moves_and_its_reader_follows(notebook: NotebookPage) -> None:
    fetched = _open(notebook, marimo_file(
        "import marimo as mo",
        'speed = mo.ui.slider(1, 10, value=3, label="Speed", show_value=True)\nspeed',
        'mo.md(f"Going **{speed.value * 10}** km/h").callout(kind="info")',
    ))
    maker, reader = notebook.cell(1), notebook.cell(2)
    expect(notebook.output(reader)).to_contain_text("Going 30 km/h")

    slider = notebook.output(maker).get_by_role("slider", name="Speed")
    slider.focus()
    notebook.page.keyboard.press("ArrowRight")

    expect(notebook.output(reader)).to_contain_text("Going 40 km/h")
    expect(notebook.output(reader).locator(".pg-callout-info")).to_have_count(1)
    assert fetched == [], f"`import marimo` made the page fetch packages: {fetched}"


def test_mo_state_setter_reruns_the_getters_readers(notebook: NotebookPage) -> None:
    _open(notebook, marimo_file(
        "import marimo as mo",
        "get_count, set_count = mo.state(0)",
        'add = mo.ui.button(label="Add one", on_click=lambda _: set_count(lambda n: n + 1))\nadd',
        'f"count is {get_count()}"',
    ))
    button, reader = notebook.cell(2), notebook.cell(3)
    expect(notebook.output(reader)).to_have_text(exact_text("'count is 0'"))

    notebook.output(button).get_by_role("button", name="Add one").click()
    expect(notebook.output(reader)).to_have_text(exact_text("'count is 1'"))
    notebook.output(button).get_by_role("button", name="Add one").click()

    expect(notebook.output(reader)).to_have_text(exact_text("'count is 2'"))


def test_a_marimo_form_of_a_batch_submits_its_values_together(notebook: NotebookPage) -> None:
    _open(notebook, marimo_file(
        "import marimo as mo",
        'person = mo.md("Name {name} Age {age}").batch(\n'
        '    name=mo.ui.text(label="Name"), age=mo.ui.number(0, 120, label="Age")\n'
        ').form(submit_button_label="Save")\nperson',
        'f"saved {person.value}"',
    ))
    form, reader = notebook.cell(1), notebook.cell(2)
    expect(notebook.output(reader)).to_have_text(exact_text("'saved None'"))

    notebook.output(form).get_by_label("Name").fill("Ada")
    notebook.output(form).get_by_label("Age").fill("36")
    notebook.output(form).get_by_role("button", name="Save").click()

    expect(notebook.output(reader)).to_have_text(
        exact_text("\"saved {'name': 'Ada', 'age': 36}\"")
    )


def test_mo_output_append_shows_each_row_as_the_cell_runs(notebook: NotebookPage) -> None:
    _open(notebook, marimo_file(
        "import marimo as mo",
        'for i in range(3):\n    mo.output.append(mo.md(f"row **{i}**"))',
    ))
    output = notebook.output(notebook.cell(1))

    expect(output.locator("strong")).to_have_text(["0", "1", "2"])
    expect(output).to_contain_text("row 0")


@pytest.mark.parametrize("tutorial", ["intro", "ui"])
def test_marimos_own_tutorial_runs_in_the_browser(notebook: NotebookPage, tutorial: str) -> None:
    """marimo's tutorials `intro` and `ui`, opened as a playground link: every cell runs."""
    source = (TUTORIALS_DIR / f"{tutorial}.py").read_text()
    notebook.page.set_default_timeout(120_000)

    _open(notebook, source)
    notebook.wait_until_settled()

    statuses = notebook.page.get_by_test_id("cell").evaluate_all(
        "cells => cells.map(c => [c.dataset.cellId, c.dataset.status])"
    )
    assert len(statuses) > 20
    failed = [cell for cell, status in statuses if status == "errored"]
    assert not failed, [notebook.error(notebook.cell_by_id(c)).inner_text() for c in failed]
    expect(notebook.page.locator('[data-ui-kind="slider"]').first).to_be_visible()
