"""Live UI elements on /play: widgets drawn from specs, values sent back, runs merged."""

from __future__ import annotations

import re

from playwright.sync_api import expect

from tests.browser.notebook_page import NotebookPage, exact_text


def test_moving_a_slider_with_the_keyboard_reruns_its_reader(notebook: NotebookPage) -> None:
    notebook.open_notebook(
        'from kernels import ui\nspeed = ui.slider(1, 10, value=3, label="Speed")\nspeed',
        "speed.value * 100",
    )
    maker, reader = notebook.cell(0), notebook.cell(1)
    expect(notebook.output(reader)).to_have_text(exact_text("300"))
    widget = notebook.output(maker).get_by_test_id("ui-element")
    expect(widget).to_have_attribute("data-ui-kind", "slider")
    expect(widget).to_have_attribute("data-ui-id", re.compile(r".+:0$"))
    # Our own control in the page, not the static HTML in a sandboxed frame.
    expect(notebook.output(maker).locator("iframe")).to_have_count(0)

    slider = notebook.output(maker).get_by_role("slider", name="Speed")
    slider.focus()
    notebook.page.keyboard.press("ArrowRight")

    expect(notebook.output(reader)).to_have_text(exact_text("400"))
    expect(slider).to_have_value("4")


def test_each_button_click_counts(notebook: NotebookPage) -> None:
    notebook.open_notebook(
        'from kernels import ui\nadd = ui.button(label="Add")\nadd',
        "add.value",
    )
    maker, reader = notebook.cell(0), notebook.cell(1)
    expect(notebook.output(reader)).to_have_text(exact_text("0"))
    button = notebook.output(maker).get_by_role("button", name="Add")

    button.click()
    expect(notebook.output(reader)).to_have_text(exact_text("1"))
    button.click()

    expect(notebook.output(reader)).to_have_text(exact_text("2"))


def test_selected_table_rows_reach_the_reader(notebook: NotebookPage) -> None:
    notebook.open_notebook(
        "from kernels import ui\n"
        'rows = ui.table([{"name": "a", "n": 1}, {"name": "b", "n": 2}, {"name": "c", "n": 3}],'
        ' label="Rows")\nrows',
        '[row["name"] for row in rows.value]',
    )
    maker, reader = notebook.cell(0), notebook.cell(1)
    expect(notebook.output(reader)).to_have_text(exact_text("[]"))
    table = notebook.output(maker).get_by_role("table", name="Rows")

    # Sorting by a header is local: the value still names rows by their data index.
    table.get_by_role("button", name="n", exact=True).click()
    table.get_by_role("button", name="n", exact=True).click()
    expect(table.locator("th").nth(2)).to_have_attribute("aria-sort", "descending")
    table.get_by_role("checkbox", name="select row 2").check()

    expect(notebook.output(reader)).to_have_text(exact_text("['b']"))
    table.get_by_role("checkbox", name="select row 3").check()
    expect(notebook.output(reader)).to_have_text(exact_text("['b', 'c']"))


def test_a_form_sends_its_value_only_on_submit(notebook: NotebookPage) -> None:
    notebook.open_notebook(
        'from kernels import ui\nsignup = ui.form(ui.text(label="Name"), label="Signup")\nsignup',
        'print("ran")\nf"hello {signup.value}"',
    )
    maker, reader = notebook.cell(0), notebook.cell(1)
    expect(notebook.output(reader)).to_have_text(exact_text("'hello None'"))

    notebook.output(maker).get_by_label("Name").fill("Ada")
    notebook.page.wait_for_timeout(500)
    expect(notebook.output(reader)).to_have_text(exact_text("'hello None'"))
    expect(reader).to_have_attribute("data-status", "idle")

    notebook.output(maker).get_by_role("button", name="Submit").click()

    expect(notebook.output(reader)).to_have_text(exact_text("'hello Ada'"))


def test_markdown_embeds_live_widgets_and_twins_stay_in_sync(notebook: NotebookPage) -> None:
    notebook.open_notebook(
        'from kernels import ui\nlevel = ui.slider(0, 5, value=1, label="Level")\nlevel',
        'ui.md(f"**Pick** a level: {level}\\n\\n<img src=x onerror=alert(1)>")',
    )
    maker, shower = notebook.cell(0), notebook.cell(1)
    embedded = notebook.output(shower).get_by_role("slider", name="Level")
    expect(embedded).to_have_value("1")
    expect(notebook.output(shower).locator("strong")).to_have_text("Pick")
    expect(notebook.output(shower).locator("img[onerror]")).to_have_count(0)

    notebook.output(maker).get_by_role("slider", name="Level").fill("3")

    # The shower does not read level.value... but it names `level`, so it re-runs; either
    # way the embedded twin shows the new value.
    expect(notebook.output(shower).get_by_role("slider", name="Level")).to_have_value("3")


def test_a_burst_of_slider_values_runs_the_slow_reader_far_fewer_times(
    notebook: NotebookPage,
) -> None:
    notebook.open_notebook(
        "runs = []",
        'from kernels import ui\nknob = ui.slider(0, 100, value=0, label="Knob")\nknob',
        # A busy 0.2 s (time.sleep needs stack switching, which this Pyodide lacks here).
        "import time\nstart = time.monotonic()\nwhile time.monotonic() - start < 0.2:\n    pass\n"
        "runs.append(knob.value)\n"
        'print(f"runs={len(runs)} last={knob.value}")',
    )
    maker, reader = notebook.cell(1), notebook.cell(2)
    expect(reader.get_by_test_id("cell-stdout")).to_have_text(exact_text("runs=1 last=0"))

    # 30 input events, as a drag would send them, 10 ms apart.
    notebook.output(maker).get_by_role("slider", name="Knob").evaluate(
        """async (input) => {
            for (let v = 1; v <= 30; v++) {
                input.value = String(v);
                input.dispatchEvent(new Event("input", {bubbles: true}));
                await new Promise(r => setTimeout(r, 10));
            }
        }"""
    )

    expect(reader.get_by_test_id("cell-stdout")).to_have_text(re.compile(r"last=30\s*$"))
    notebook.wait_until_settled()
    text = reader.get_by_test_id("cell-stdout").inner_text()
    runs = int(re.search(r"runs=(\d+)", text).group(1))  # type: ignore[union-attr]
    print(f"burst: the reader ran {runs - 1} times for 30 values")
    assert runs - 1 < 10, f"the reader ran {runs - 1} times for 30 values"
    assert text.strip().endswith("last=30")
