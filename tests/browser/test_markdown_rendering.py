"""Markdown as marimo users write it: math, tables, highlighted code, admonitions.

Markdown cells and ``ui.md`` outputs render in the page (``frontend/src/outputs/
markdown.ts``); ``text/markdown`` output renders in an output frame with the same
code. Math is typeset by KaTeX, whose CSS and fonts we serve ourselves.
"""

from __future__ import annotations

from urllib.parse import urlsplit

from playwright.sync_api import Locator, Request, Response, expect

from kernels.runtime.formats import dumps_notebook
from kernels.runtime.notebook import Cell, Notebook
from tests.browser.lzstring import compress_to_encoded_uri_component
from tests.browser.notebook_page import NotebookPage

INLINE_TEX = r"\alpha_1 + \beta^{*} * \gamma_{*}"
PAREN_TEX = r"\sqrt{x_1}"
DISPLAY_TEX = r"f(x) = \frac{1}{2}\sum_{i=1}^{n} x_i^2 \\ g = a\_b"
BROKEN_TEX = r"\frac{1}{"

MATH_MARKDOWN = f"""# Math

Inline ${INLINE_TEX}$ and \\({PAREN_TEX}\\); it costs $5 and $10 here.

$$
{DISPLAY_TEX}
$$

A mistake: ${BROKEN_TEX}$.

<style>body {{ display: none !important; }}</style>
"""


def _open_markdown_cell(notebook: NotebookPage, text: str) -> Locator:
    source = dumps_notebook(
        Notebook(cells=[Cell(code=text, kind="markdown"), Cell(code="x = 1")]), "playground"
    )
    notebook.open("/play#code/" + compress_to_encoded_uri_component(source))
    return notebook.cell(0).locator(".markdown-rendered")


def _annotations(root: Locator) -> list[str]:
    """The TeX source KaTeX keeps in each formula's MathML, in order."""
    return root.locator("annotation[encoding='application/x-tex']").all_text_contents()


def test_markdown_cell_typesets_math_and_keeps_backslashes(notebook: NotebookPage) -> None:
    markdown = _open_markdown_cell(notebook, MATH_MARKDOWN)

    expect(markdown.locator(".katex-display .katex")).to_have_count(1)
    # Three formulas typeset, each from exactly the TeX written: no backslash, `_` or
    # `*` eaten by markdown on the way.
    expect(markdown.locator(".katex:not(.katex-error) .katex-html")).to_have_count(3)
    assert _annotations(markdown) == [INLINE_TEX, PAREN_TEX, DISPLAY_TEX]

    # Dollars that are not math stay text.
    expect(markdown.locator("p").nth(0)).to_contain_text("it costs $5 and $10 here.")

    # A formula KaTeX cannot read shows its source in red, not an exception.
    error = markdown.locator(".katex-error")
    expect(error).to_have_text(BROKEN_TEX)
    expect(error).to_have_css("color", "rgb(204, 0, 0)")

    # The sanitiser still drops style sheets: the page is displayed.
    expect(markdown.locator("style")).to_have_count(0)
    expect(notebook.page.get_by_test_id("run-all")).to_be_visible()


def test_katex_fonts_and_css_come_from_our_own_origin(notebook: NotebookPage) -> None:
    page = notebook.page
    requested: list[str] = []
    fonts: list[Response] = []
    page.on("request", lambda request: requested.append(request.url))

    def keep_font(response: Response) -> None:
        if "/KaTeX_" in urlsplit(response.url).path:
            fonts.append(response)

    page.on("response", keep_font)
    failed: list[Request] = []
    page.on("requestfailed", lambda request: failed.append(request))

    markdown = _open_markdown_cell(notebook, r"$\mathbb{R} \ni x = \sqrt{\frac{a}{b}}$")
    expect(markdown.locator(".katex .katex-html")).to_have_count(1)
    # The browser fetches a font face when text needs it; wait until KaTeX's are in.
    page.wait_for_function(
        """() => [...document.fonts].some(f => f.family.replace(/"/g, "") === "KaTeX_Main" && f.status === "loaded")
              && [...document.fonts].some(f => f.family.replace(/"/g, "") === "KaTeX_AMS" && f.status === "loaded")"""
    )
    # KaTeX's own stylesheet applies (it sizes `.katex` at 1.21em).
    font_family = markdown.locator(".katex").first.evaluate("e => getComputedStyle(e).fontFamily")
    assert "KaTeX_Main" in font_family

    ours = urlsplit(notebook.page.url)
    others = [
        url
        for url in requested
        if urlsplit(url).scheme in ("http", "https") and urlsplit(url).netloc != ours.netloc
    ]
    assert others == [], f"requests to other hosts: {others}"
    assert fonts, "no KaTeX font was fetched over the network"
    for response in fonts:
        assert urlsplit(response.url).path.startswith("/static/"), response.url
        assert response.status == 200, (response.url, response.status)
    assert not [r.url for r in failed if "/KaTeX_" in r.url]


def test_markdown_tables_are_styled_and_scroll_inside_the_cell(notebook: NotebookPage) -> None:
    header = "| " + " | ".join(f"column {n}" for n in range(30)) + " |"
    rule = "|" + "---|" * 30
    row = "| " + " | ".join(str(n) for n in range(30)) + " |"
    markdown = _open_markdown_cell(notebook, f"A table:\n\n{header}\n{rule}\n{row}\n{row}\n")

    table = markdown.locator("table")
    expect(table.locator("thead th")).to_have_count(30)
    expect(table.locator("tbody tr")).to_have_count(2)
    first_header, first_cell = table.locator("th").first, table.locator("td").first
    expect(first_header).to_have_css("border-top-style", "solid")
    expect(first_cell).to_have_css("border-left-style", "solid")
    expect(first_header).to_have_css("font-weight", "600")
    assert first_header.evaluate("e => getComputedStyle(e).backgroundColor") != "rgba(0, 0, 0, 0)"

    # Thirty columns are wider than the cell: the table scrolls, the page does not.
    assert table.evaluate("t => t.scrollWidth > t.clientWidth")
    cell_box = notebook.cell(0).bounding_box()
    table_box = table.bounding_box()
    assert cell_box is not None and table_box is not None
    assert table_box["x"] + table_box["width"] <= cell_box["x"] + cell_box["width"] + 0.5
    assert notebook.page.evaluate(
        "document.documentElement.scrollWidth <= document.documentElement.clientWidth"
    )


def test_python_code_blocks_are_highlighted(notebook: NotebookPage) -> None:
    markdown = _open_markdown_cell(
        notebook,
        '```python\ndef greet(name):\n    # say hello\n    return f"hi {name}" + str(42)\n```\n\n'
        "```text\ndef plain(): pass\n```\n",
    )
    python = markdown.locator("pre code.language-python")
    expect(python.locator("span.tok-keyword").first).to_have_text("def")
    expect(python.locator("span.tok-comment")).to_have_text("# say hello")
    expect(python.locator("span.tok-number")).to_have_text("42")
    expect(python).to_have_text(
        'def greet(name):\n    # say hello\n    return f"hi {name}" + str(42)'
    )
    keyword = python.locator("span.tok-keyword").first.evaluate("e => getComputedStyle(e).color")
    assert keyword != python.evaluate("e => getComputedStyle(e).color")
    # A language we do not parse stays plain text.
    plain = markdown.locator("pre code.language-text")
    expect(plain).to_have_text("def plain(): pass")
    expect(plain.locator("span")).to_have_count(0)


def test_admonitions_become_titled_boxes(notebook: NotebookPage) -> None:
    markdown = _open_markdown_cell(
        notebook,
        "/// warning | Careful\n"
        "Inner **bold** and $x^2$.\n\n"
        "```text\n/// not a block end\n```\n"
        "///\n\n"
        "/// details | More\nHidden *text*.\n///\n\n"
        '!!! note "Heads up"\n    Indented *body*.\n',
    )
    warning = markdown.locator(".admonition.warning")
    expect(warning.locator(".admonition-title")).to_have_text("Careful")
    expect(warning.locator("strong")).to_have_text("bold")
    expect(warning.locator(".katex")).to_have_count(1)
    expect(warning.locator("pre code")).to_have_text("/// not a block end")
    expect(warning).to_have_css("border-left-style", "solid")
    title_colour = warning.locator(".admonition-title").evaluate("e => getComputedStyle(e).color")
    assert title_colour != warning.evaluate("e => getComputedStyle(e).color")

    details = markdown.locator("details.admonition")
    expect(details.locator("summary")).to_have_text("More")
    # Collapsed until opened (a click on a markdown cell edits it, so opened from script).
    expect(details.locator("em")).not_to_be_visible()
    details.evaluate("d => { d.open = true; }")
    expect(details.locator("em")).to_have_text("text")
    expect(details.locator("em")).to_be_visible()

    note = markdown.locator(".admonition.note")
    expect(note.locator(".admonition-title")).to_have_text("Heads up")
    expect(note.locator("em")).to_have_text("body")


def test_ui_md_output_typesets_math(notebook: NotebookPage) -> None:
    notebook.open_notebook(
        'from kernels import ui\nui.md(r"Area: $\\pi r^2$, and $$\\int_0^1 x\\,dx$$")'
    )
    markdown = notebook.output(notebook.cell(0)).locator("[data-ui-kind=markdown]")
    expect(markdown.locator(".katex .katex-html")).to_have_count(2)
    assert _annotations(markdown) == [r"\pi r^2", r"\int_0^1 x\,dx"]


def test_markdown_output_in_a_frame_renders_the_same_way(notebook: NotebookPage) -> None:
    notebook.open_notebook(
        "class Report:\n"
        "    def _repr_markdown_(self):\n"
        '        return r"""Energy $E = mc^2$\n\n| a | b |\n|---|---|\n| 1 | 2 |\n\n'
        '```python\nimport math\n```\n\n/// tip | Note this\nInside.\n///\n"""\n'
        "Report()"
    )
    frame = notebook.output(notebook.cell(0)).frame_locator("iframe.output-frame")
    # The frame cannot load our fonts (an opaque origin): math is MathML drawn by the browser.
    expect(frame.locator("math annotation")).to_have_text("E = mc^2")
    expect(frame.locator("table th")).to_have_count(2)
    expect(frame.locator("table th").first).to_have_css("border-top-style", "solid")
    expect(frame.locator("code.language-python .tok-keyword")).to_have_text("import")
    expect(frame.locator(".admonition.tip .admonition-title")).to_have_text("Note this")
