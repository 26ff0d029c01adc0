"""Output that stays usable: long streams fold under a count, floods are capped, and
output a cell did not produce in its latest run is marked stale.

The kernel sends at most 2 MB of stream text per cell run and says what it dropped
(``stream_truncated``); the page shows 1,000 lines of each stream and counts the
rest under them ("… 999,000 more lines · Show all · Download").
"""

from __future__ import annotations

import re
from pathlib import Path

from playwright.sync_api import Locator, expect

from tests.browser.notebook_page import NotebookPage, exact_text, notebook_source, play_url

# Long runs: Pyodide prints a million lines in seconds, more on a loaded machine.
RUN_TIMEOUT_MS = 180_000
LIMIT_BYTES = 2 * 1024 * 1024


def stdout_of(cell: Locator) -> Locator:
    return cell.get_by_test_id("cell-stdout")


def stdout_more(cell: Locator) -> Locator:
    return cell.locator('[data-testid="stream-more"][data-stream="stdout"]')


def wait_until_idle(cell: Locator) -> None:
    expect(cell).to_have_attribute("data-status", "idle", timeout=RUN_TIMEOUT_MS)


def numbers(count: int) -> str:
    return "".join(f"{i}\n" for i in range(count))


def test_a_million_printed_lines_show_a_thousand_and_count_the_rest(notebook: NotebookPage) -> None:
    notebook.open_notebook("for i in range(10**6):\n    print(i)", run=False)
    cell = notebook.cell(0)
    wait_until_idle(cell)

    # The page holds the first 1,000 lines; the rest is a count, not 999,000 DOM nodes.
    assert stdout_of(cell).text_content() == numbers(1000)
    more = stdout_more(cell)
    expect(more).to_be_visible()
    expect(more.get_by_test_id("stream-more-count")).to_have_text(re.compile(
        r"^… 999,000 more lines, [\d,]+ lines \([\d.]+ MB\) of them not sent: "
        r"this run passed its 2\.0 MB output limit$"
    ))

    # Download saves everything the page holds: the lines the kernel sent (2 MB).
    with notebook.page.expect_download() as download:
        more.get_by_test_id("stream-download").click()
    assert download.value.suggested_filename.endswith("-stdout.txt")
    saved = Path(download.value.path()).read_text()
    kept = saved.count("\n")
    assert saved == numbers(kept)
    assert LIMIT_BYTES - 16 < len(saved) <= LIMIT_BYTES

    # Show all draws them all; what the kernel never sent is still counted.
    more.get_by_test_id("stream-show-all").click()
    expect(stdout_of(cell)).to_have_text(saved, use_inner_text=False)
    expect(more.get_by_test_id("stream-more-count")).to_have_text(
        f"… {10**6 - kept:,} more lines not sent: this run passed its 2.0 MB output limit"
    )
    expect(more.get_by_test_id("stream-show-all")).to_be_hidden()


def test_a_flood_past_the_byte_cap_gets_the_dropped_notice_and_the_page_stays_usable(
    notebook: NotebookPage,
) -> None:
    notebook.open_notebook(
        "line = 'x' * 1023\nfor _ in range(100 * 1024):  # 100 MB\n    print(line)",
        "1 + 1",
        run=False,
    )
    flood, other = notebook.cell(0), notebook.cell(1)
    wait_until_idle(flood)

    # 102,400 lines: 1,000 shown, 2,048 of 1 KB fill the 2 MB cap, 100,352 (98 MB) never sent.
    expect(stdout_more(flood).get_by_test_id("stream-more-count")).to_have_text(
        "… 101,400 more lines, 100,352 lines (98.0 MB) of them not sent: "
        "this run passed its 2.0 MB output limit"
    )
    assert stdout_of(flood).text_content() == ("x" * 1023 + "\n") * 1000
    text_on_page = notebook.page.evaluate("() => document.body.textContent.length")
    assert text_on_page < 1.1 * 2**20, f"the page holds {text_on_page} characters of text"

    # Still usable: another cell runs and shows its result.
    notebook.set_code(other, "6 * 7")
    notebook.run_with_shift_enter(other)
    expect(notebook.output(other)).to_have_text(exact_text("42"))


def test_the_app_view_folds_long_output_too(notebook: NotebookPage) -> None:
    notebook.open_notebook("for i in range(5000):\n    print(i)", run=False, mode="read")
    expect(notebook.page.get_by_test_id("app-view")).to_be_visible()
    cell = notebook.cell(0)
    wait_until_idle(cell)
    assert stdout_of(cell).text_content() == numbers(1000)
    expect(stdout_more(cell).get_by_test_id("stream-more-count")).to_have_text("… 4,000 more lines")
    stdout_more(cell).get_by_test_id("stream-show-all").click()
    expect(stdout_of(cell)).to_have_text(numbers(5000), use_inner_text=False)
    expect(stdout_more(cell)).to_be_hidden()


STALE_SINCE = re.compile(r"^stale: not re-run since \d\d:\d\d:\d\d")


def expect_marked_stale(cell: Locator, reason: str, label: str) -> None:
    expect(cell).to_have_attribute("data-stale", reason)
    stale = cell.get_by_test_id("cell-stale")
    expect(stale).to_be_visible()
    expect(stale).to_have_text(STALE_SINCE)
    expect(stale).to_contain_text(label)
    expect(stale).to_have_attribute("title", re.compile("from the run at"))
    label_id = stale.get_attribute("id")
    assert label_id
    expect(stdout_of(cell)).to_have_attribute("aria-describedby", label_id)


def expect_current(cell: Locator) -> None:
    expect(cell).not_to_have_attribute("data-stale", re.compile(".*"))
    expect(cell.get_by_test_id("cell-stale")).to_be_hidden()
    expect(stdout_of(cell)).not_to_have_attribute("aria-describedby", re.compile(".*"))


def test_outputs_kept_when_an_ancestor_fails_are_marked_stale_until_the_cells_run(
    notebook: NotebookPage,
) -> None:
    notebook.open_notebook(
        "base = 1",
        "print('b saw', base)\nderived = base + 1",
        "print('c saw', derived)\nderived * 10",
    )
    source, child, grandchild = notebook.cell(0), notebook.cell(1), notebook.cell(2)
    expect(stdout_of(child)).to_have_text(exact_text("b saw 1"))
    expect(notebook.output(grandchild)).to_have_text(exact_text("20"))
    expect_current(child)

    notebook.set_code(source, "base = 1 / 0")
    notebook.run_with_shift_enter(source)

    expect(notebook.error(child)).to_contain_text("an ancestor failed")
    # The old output is still there, dimmed and labelled, in the child and its child.
    expect(stdout_of(child)).to_have_text(exact_text("b saw 1"))
    expect_marked_stale(child, "ancestor-failed", "a cell it reads from failed")
    expect(notebook.error(grandchild)).to_contain_text("an ancestor failed")
    expect(notebook.output(grandchild)).to_have_text(exact_text("20"))
    expect_marked_stale(grandchild, "ancestor-failed", "a cell it reads from failed")
    expect(notebook.output(grandchild)).to_have_attribute(
        "aria-describedby", grandchild.get_by_test_id("cell-stale").get_attribute("id") or "?"
    )
    # The failing cell's own output is current: it ran.
    expect(source).not_to_have_attribute("data-stale", re.compile(".*"))

    notebook.set_code(source, "base = 5")
    notebook.run_with_shift_enter(source)

    expect(stdout_of(child)).to_have_text(exact_text("b saw 5"))
    expect(notebook.output(grandchild)).to_have_text(exact_text("60"))
    expect_current(child)
    expect_current(grandchild)


def test_a_stopped_run_leaves_the_cells_it_did_not_reach_marked_stale(
    notebook: NotebookPage,
) -> None:
    notebook.open_notebook("n = 1", "m = n", "print('d saw', m)")
    slow, reader = notebook.cell(1), notebook.cell(2)
    expect(stdout_of(reader)).to_have_text(exact_text("d saw 1"))

    notebook.set_code(slow, "import time\ntime.sleep(60)\nm = n")
    notebook.run_with_shift_enter(slow)
    expect(slow).to_have_attribute("data-status", "running")
    expect(reader).to_have_attribute("data-status", "queued")
    notebook.page.get_by_test_id("interrupt").click()

    expect(reader).to_have_attribute("data-status", "stale")
    expect(stdout_of(reader)).to_have_text(exact_text("d saw 1"))
    expect_marked_stale(reader, "not-run", "the run stopped before it")


def test_lines_printed_before_a_sleep_show_while_the_cell_sleeps(notebook: NotebookPage) -> None:
    # The first line goes out at once; the second waits in the kernel's batch, which
    # time.sleep sends before it blocks.
    notebook.open(
        play_url(notebook_source("import time\nprint('one')\nprint('two')\ntime.sleep(60)")),
        wait_for_kernel=False,  # the cell runs at once, and sleeps
    )
    cell = notebook.cell(0)
    expect(stdout_of(cell)).to_have_text("one\ntwo\n", use_inner_text=False)
    expect(cell).to_have_attribute("data-status", "running")
    notebook.page.get_by_test_id("interrupt").click()
    expect(cell).to_have_attribute("data-status", "errored")


def test_thousands_of_stream_events_are_drawn_once_a_frame(notebook: NotebookPage) -> None:
    # Alternating streams defeat the kernel's batching: every line is its own event.
    notebook.open_notebook(
        "import sys\nfor i in range(2000):\n    print(i)\n    print(-i, file=sys.stderr)", run=False
    )
    cell = notebook.cell(0)
    wait_until_idle(cell)
    assert stdout_of(cell).text_content() == numbers(1000)
    assert cell.get_by_test_id("cell-stderr").text_content() == "".join(
        f"{-i}\n" for i in range(1000))
    # One text node per animation frame that had text to draw, not one per event.
    nodes = stdout_of(cell).evaluate("pre => pre.childNodes.length")
    assert nodes < 200, f"{nodes} text nodes for 2,000 stream events"
