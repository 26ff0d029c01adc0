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
        'from kernels import ui\nsignup = ui.form(ui.text(label="Name"), label="Signup")\n'
        'other = ui.slider(0, 5, label="Other")\nui.vstack([signup, other])',
        "reads = []",
        'reads.append(signup.value)\nf"hello {signup.value} (run {len(reads)})"',
        "other.value",
    )
    maker, reader, sentinel = notebook.cell(0), notebook.cell(2), notebook.cell(3)
    expect(notebook.output(reader)).to_have_text(exact_text("'hello None (run 1)'"))

    notebook.output(maker).get_by_label("Name").fill("Ada")
    # The sentinel: a change sent after the typing, through the same channel. Once its
    # reader shows it, anything the typing had sent was handled before (no waiting for
    # "nothing within half a second").
    notebook.output(maker).get_by_role("slider", name="Other").fill("3")
    expect(notebook.output(sentinel)).to_have_text(exact_text("3"))
    expect(notebook.output(reader)).to_have_text(exact_text("'hello None (run 1)'"))
    expect(reader).to_have_attribute("data-status", "idle")

    notebook.output(maker).get_by_role("button", name="Submit").click()

    expect(notebook.output(reader)).to_have_text(exact_text("'hello Ada (run 2)'"))


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


def test_a_burst_of_slider_values_sent_while_the_reader_is_busy_costs_one_run(
    notebook: NotebookPage,
) -> None:
    """The reader is held busy in input() (not by a loop timed to outlast the burst), so
    the whole burst surely arrives while it runs; the worker's queue merges it."""
    notebook.open_notebook(
        "runs = []\nhold = []",
        'from kernels import ui\nknob = ui.slider(0, 100, value=0, label="Knob")\nknob',
        # A token: the reader's run that finds one takes it and waits for input.
        "_held = input('busy') if hold and hold.pop() else None\n"
        "runs.append(knob.value)\n"
        'print(f"runs={len(runs)} last={knob.value}")',
        "hold.append(True)",  # runs after the reader (notebook order): the next run waits
    )
    maker, reader = notebook.cell(1), notebook.cell(2)
    expect(reader.get_by_test_id("cell-stdout")).to_have_text(exact_text("runs=1 last=0"))
    notebook.run_with_shift_enter(reader)
    box = reader.get_by_test_id("cell-input")
    expect(box).to_be_visible()

    # 30 input events, as a drag sends them, while the reader waits.
    notebook.output(maker).get_by_role("slider", name="Knob").evaluate(
        """(input) => {
            for (let v = 1; v <= 30; v++) {
                input.value = String(v);
                input.dispatchEvent(new Event("input", {bubbles: true}));
            }
        }"""
    )
    box.press("Enter")

    # The held run (2), then one run for the whole burst (3).
    expect(reader.get_by_test_id("cell-stdout")).to_have_text(re.compile(r"last=30\s*$"))
    notebook.wait_until_settled()
    expect(reader.get_by_test_id("cell-stdout")).to_have_text(exact_text("runs=3 last=30"))
