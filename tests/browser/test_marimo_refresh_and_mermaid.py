"""marimo's timed refresh and Mermaid diagrams on /play, opened from marimo playground links.

``mo.ui.refresh`` re-runs its readers on a timer that runs in the page; nothing here
waits on the wall clock: a second refresh element is the clock the test counts ticks
of. ``mo.mermaid`` is drawn by mermaid.js, loaded only once a diagram is shown, into a
sandboxed output frame.
"""

from __future__ import annotations

import re

from playwright.sync_api import Frame, Locator, Request, expect

from tests.browser.notebook_page import NotebookPage, exact_text, play_url
from tests.browser.test_marimo_links import marimo_file

_COUNT = re.compile(r"\((\d+)\)")


def _count(reader: Locator) -> int:
    """The refresh count in a reader showing marimo's value, ``'<interval> (<count>)'``."""
    found = _COUNT.search(reader.inner_text())
    return int(found.group(1)) if found else 0


def _wait_for_count(notebook: NotebookPage, reader: Locator, at_least: int) -> int:
    """Wait (on the page, no timer of ours) until the reader shows a count of ``at_least``."""
    notebook.page.wait_for_function(
        """([output, least]) => {
            const found = /\\((\\d+)\\)/.exec(output.innerText);
            return found !== null && Number(found[1]) >= least;
        }""",
        arg=[reader.element_handle(), at_least],
    )
    return _count(reader)


def test_a_marimo_refresh_reruns_its_reader_until_it_is_turned_off(notebook: NotebookPage) -> None:
    notebook.open(play_url(marimo_file(
        "import marimo as mo",
        'tick = mo.ui.refresh(default_interval="200ms", label="Tick")\ntick',
        'f"ticked {tick.value}"',
        # The test's clock: ticks of a second element, turned on when needed.
        'clock = mo.ui.refresh(options=["200ms"], label="Clock")\nclock',
        'f"clock {clock.value}"',
    )))
    notebook.run_all()
    tick, ticked, clock, clocked = (notebook.output(notebook.cell(i)) for i in range(1, 5))

    # By itself, at least twice: the output changes with each tick.
    _wait_for_count(notebook, ticked, 2)
    expect(ticked).to_have_text(re.compile(r"^\s*'ticked 200ms \(\d+\)'\s*$"))
    picker = tick.get_by_role("combobox", name="Tick interval")
    expect(picker).to_have_value("200ms")

    picker.select_option("off")
    clock.get_by_role("combobox", name="Clock interval").select_option("200ms")
    # Two ticks of the clock: a tick of `tick` sent just before "off" has run by then.
    _wait_for_count(notebook, clocked, 2)
    stopped_at = _count(ticked)
    _wait_for_count(notebook, clocked, _count(clocked) + 3)
    expect(ticked).to_have_text(exact_text(f"'ticked 200ms ({stopped_at})'"))

    # The sentinel: one click, exactly one more run, and then nothing again.
    tick.get_by_role("button", name="Tick").click()
    expect(ticked).to_have_text(exact_text(f"'ticked off ({stopped_at + 1})'"))
    _wait_for_count(notebook, clocked, _count(clocked) + 3)
    expect(ticked).to_have_text(exact_text(f"'ticked off ({stopped_at + 1})'"))


def _frame_of(output: Locator) -> Frame:
    frame_element = output.locator("iframe.output-frame")
    expect(frame_element).to_have_count(1)
    frame = frame_element.element_handle().content_frame()
    assert frame is not None
    return frame


def test_mo_mermaid_draws_an_svg_with_mermaid_loaded_only_then(notebook: NotebookPage) -> None:
    requested: list[str] = []

    def record(request: Request) -> None:
        if "mermaid" in request.url:
            requested.append(request.url)

    notebook.page.on("request", record)
    notebook.open(play_url(marimo_file(
        "import marimo as mo",
        'answer = 6 * 7\nanswer',
    )))
    notebook.run_all()
    expect(notebook.output(notebook.cell(1))).to_have_text(exact_text("42"))
    assert requested == [], "mermaid.js loads only when a diagram is shown"

    drawn = notebook.add_code_cell('mo.mermaid("graph TD; A-->B")')
    notebook.run_with_shift_enter(drawn)
    broken = notebook.add_code_cell('mo.mermaid("graph TD; A-->")')
    notebook.run_with_shift_enter(broken)

    frame = notebook.output(drawn).frame_locator("iframe.output-frame")
    expect(frame.locator("svg")).to_be_visible()
    nodes = frame.locator("svg g.node")
    expect(nodes).to_have_count(2)
    assert sorted((node.text_content() or "").strip() for node in nodes.all()) == ["A", "B"]
    expect(frame.locator("svg .edgePath, svg .flowchart-link").first).to_be_attached()
    assert any("/assets/mermaid" in url for url in requested), requested

    # A diagram mermaid cannot read: its source stays, with mermaid's message.
    failed = notebook.output(broken)
    expect(failed.locator(".ui-mermaid-source")).to_have_text("graph TD; A-->")
    expect(failed).to_contain_text("The diagram could not be drawn:")
    expect(failed.locator("iframe")).to_have_count(0)


_PROBE = "document.body.setAttribute('data-pwned', 'yes')"
_HOSTILE = (
    '%%{init: {"securityLevel": "loose"}}%%\n'
    "graph TD\n"
    f'  A["<img src=x onerror={_PROBE}>"] --> B["<script>{_PROBE}</script>"]\n'
    f'  B --> C["<svg><a href=javascript:{_PROBE}><text>go</text></a></svg>"]\n'
    f'  click A call {_PROBE}\n'
    f'  click B href "javascript:{_PROBE}"\n'
)
# Anything left in the frame's document that could run: scripts in the drawing, event
# handler attributes, `javascript:` URLs in any attribute (SVG links use xlink:href).
_RUNNABLE = """() => [...document.body.querySelectorAll("*")].filter((element) =>
    (element.localName === "script" && element.closest("svg")) ||
    [...element.attributes].some((a) => /^on/i.test(a.name) || /^\\s*javascript:/i.test(a.value))
).map((element) => element.outerHTML.slice(0, 120))"""

# mermaid lays a diagram out in this page before the SVG goes to its frame: note every
# element that reaches the page's DOM carrying the probe in an attribute (a handler, a
# link) or a script. (The page's CSP would refuse to run them; they must not get there.)
_WATCH_PAGE = """
window.__injected = [];
new MutationObserver((records) => {
  for (const record of records) {
    const nodes = record.type === "attributes" ? [record.target] : [...record.addedNodes];
    for (const node of nodes) {
      if (!(node instanceof Element)) continue;
      for (const element of [node, ...node.querySelectorAll("*")]) {
        for (const attribute of element.attributes)
          if (attribute.value.includes("data-pwned")) window.__injected.push(`${element.tagName} ${attribute.name}`);
        if (element.localName === "script" && element.textContent.includes("data-pwned"))
          window.__injected.push("script");
      }
    }
  }
}).observe(document, { subtree: true, childList: true, attributes: true });
"""


def test_script_in_a_diagrams_labels_never_runs(notebook: NotebookPage) -> None:
    notebook.page.add_init_script(_WATCH_PAGE)
    notebook.open(play_url(marimo_file(
        "import marimo as mo",
        f"mo.mermaid({_HOSTILE!r})",
    )))
    notebook.run_all()
    output = notebook.output(notebook.cell(1))

    frame = _frame_of(output)
    nodes = output.frame_locator("iframe.output-frame").locator("svg g.node")
    expect(nodes).to_have_count(3)
    assert frame.evaluate(_RUNNABLE) == []
    # Give any image in the drawing its chance to fail and fire a handler; click the nodes.
    frame.wait_for_function("() => [...document.images].every(image => image.complete)")
    for node in nodes.all():
        node.click()

    assert frame.evaluate("document.body.hasAttribute('data-pwned')") is False
    assert notebook.page.evaluate("document.body.hasAttribute('data-pwned')") is False
    assert notebook.page.evaluate("window.__injected") == []
