"""``#code/`` links the playground must not open: over the notebook limit, broken, empty.

The page decompresses links itself (``frontend/src/share/lz_decompress.ts``), stopping
as soon as the notebook passes the page config's ``linkMaxLength`` (the server's
``NOTEBOOK_MAX_BYTES``), like the app's import (``notebooks/play_links.py``). The
first tests check that decompressor in Node: it returns exactly what lz-string
returns for every link lz-string writes, and accepts and refuses exactly what the
server's does, at the bound and on any data. The others open such links in Chromium:
the page says what happened and what to do, opens nothing else, and stays usable.
"""

from __future__ import annotations

import json
import shutil
import subprocess
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Literal

import pytest
from hypothesis import given
from hypothesis import strategies as st
from playwright.sync_api import Page, expect

from notebooks.play_links import PlayLinkError, PlayLinkTooLarge, lz_decompress_uri
from tests.browser.lzstring import compress_to_encoded_uri_component, lzw_bomb
from tests.browser.notebook_page import NotebookPage, exact_text, notebook_source

REPO_ROOT = Path(__file__).resolve().parents[2]
FRONTEND = REPO_ROOT / "frontend"
HARNESS = Path(__file__).with_name("lz_link_harness.mjs")
ALPHABET = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+-$"
# The service's NOTEBOOK_MAX_BYTES (the default; the browser tests read it from the page).
DEFAULT_LIMIT = 2 * 1024 * 1024

Outcome = tuple[Literal["value", "too large", "error"], str | None]


class NodeLinks:
    """One Node process holding our decompressor and the real lz-string, answering per line."""

    def __init__(self, process: subprocess.Popen[str]) -> None:
        self._process = process

    def _ask(self, request: dict[str, object]) -> dict[str, object]:
        assert self._process.stdin and self._process.stdout
        self._process.stdin.write(json.dumps(request) + "\n")
        self._process.stdin.flush()
        line = self._process.stdout.readline()
        assert line, "the Node harness stopped; see its stderr above"
        return dict(json.loads(line))

    def compress(self, text: str) -> str:
        """What the playground's lz-string makes of ``text`` (its "Copy link")."""
        return str(self._ask({"compress": text})["data"])

    def ours(self, data: str, max_length: int) -> Outcome:
        answer = self._ask({"data": data, "maxLength": max_length})["ours"]
        assert isinstance(answer, dict)
        if "value" in answer:
            return ("value", str(answer["value"]))
        return ("too large", None) if answer.get("tooLarge") else ("error", None)

    def ours_counting(self, data: str, max_length: int) -> tuple[Outcome, int]:
        """Our answer, and how many UTF-16 units of text the decompressor built to reach it."""
        answer = self._ask({"data": data, "maxLength": max_length, "count": True})
        ours = answer["ours"]
        assert isinstance(ours, dict)
        outcome: Outcome = (
            ("value", str(ours["value"])) if "value" in ours
            else ("too large", None) if ours.get("tooLarge") else ("error", None)
        )
        return outcome, int(answer["produced"])  # type: ignore[call-overload]

    def lz_string(self, data: str) -> str | None:
        answer = self._ask({"data": data, "maxLength": DEFAULT_LIMIT, "lzString": True})["lzString"]
        return None if answer is None else str(answer)


@pytest.fixture(scope="module")
def node_links(tmp_path_factory: pytest.TempPathFactory) -> Iterator[NodeLinks]:
    node = shutil.which("node")
    assert node, "Node is needed to check the playground's decompressor: install nodejs."
    rolldown = FRONTEND / "node_modules" / ".bin" / "rolldown"
    lz_string = FRONTEND / "node_modules" / "lz-string" / "libs" / "lz-string.js"
    assert rolldown.is_file() and lz_string.is_file(), "run `cd frontend && npm ci` first."
    bundle = tmp_path_factory.mktemp("lz-decompress") / "lz_decompress.mjs"
    # The bundler Vite uses, so the module is the one the page runs.
    subprocess.run(
        [str(rolldown), "src/share/lz_decompress.ts", "--format", "esm", "--file", str(bundle)],
        cwd=FRONTEND,
        check=True,
        capture_output=True,
        timeout=120,
    )
    process = subprocess.Popen(
        [node, str(HARNESS), str(bundle), str(lz_string)],
        stdin=subprocess.PIPE,
        stdout=subprocess.PIPE,
        text=True,
        encoding="utf-8",
    )
    yield NodeLinks(process)
    assert process.stdin
    process.stdin.close()
    process.wait(timeout=30)


def server_outcome(data: str, max_length: int) -> Outcome:
    try:
        return ("value", lz_decompress_uri(data, max_length=max_length))
    except PlayLinkTooLarge:
        return ("too large", None)
    except PlayLinkError:
        return ("error", None)


def as_server_text(outcome: Outcome) -> Outcome:
    """The server joins UTF-16 units into code points (a lone surrogate becomes U+FFFD)."""
    kind, value = outcome
    if value is None:
        return outcome
    return (kind, value.encode("utf-16-le", "surrogatepass").decode("utf-16-le", "replace"))


def utf16_units(text: str) -> bytes:
    return text.encode("utf-16-le", "surrogatepass")


def utf16_length(text: str) -> int:
    return len(utf16_units(text)) // 2


# -- the decompressor, in Node ------------------------------------------------------------

_REALISTIC_CELL = """# %% name=plot{n}
import math
ys = [math.sin(i / 10) * {n} for i in range(100)]  # amplitude {n}: ±{n} → café 数据 🐍
"""

SAMPLES = {
    "one letter": "a",
    "a notebook": notebook_source("x = 1", "y = x + 1\ny"),
    "every 8-bit char": "".join(map(chr, range(256))),
    "astral and joined emoji": "family = '👨‍👩‍👧‍👦'; flag = '🇫🇷'; 𝑥 = '𝟘𝟙𝟚'\n",
    "large notebook": "".join(_REALISTIC_CELL.format(n=n) for n in range(3_000)),
    "large repetitive": "print('hello')\n" * 50_000,
}


@pytest.mark.subprocess
@pytest.mark.parametrize("name", list(SAMPLES))
def test_gives_what_lz_string_gives_and_decides_the_bound_as_the_server(
    node_links: NodeLinks, name: str
) -> None:
    text = SAMPLES[name]
    data = node_links.compress(text)
    length = utf16_length(text)

    assert node_links.lz_string(data) == text
    assert node_links.ours(data, DEFAULT_LIMIT) == ("value", text)
    assert node_links.ours(data, length) == ("value", text)
    for bound in (length - 1, length, length + 1):
        assert as_server_text(node_links.ours(data, bound)) == server_outcome(data, bound)
    if length > 1:  # neither side checks a first character against the bound
        assert node_links.ours(data, length - 1) == ("too large", None)


@pytest.mark.subprocess
# Few symbols ("ab") exercise the corner case of a code defined by itself (cScSc).
@given(st.text() | st.text(alphabet="ab", min_size=1, max_size=3_000))
def test_any_text_round_trips_like_lz_string(node_links: NodeLinks, text: str) -> None:
    data = node_links.compress(text)

    assert (
        node_links.ours(data, DEFAULT_LIMIT)
        == ("value", text)
        == ("value", node_links.lz_string(data))
    )


@pytest.mark.subprocess
@given(
    st.lists(st.sampled_from(["a", "é", "\ud800", "\udfff", "😀", "数"]), min_size=1).map("".join)
)
def test_lone_surrogates_come_back_as_lz_string_returns_them(
    node_links: NodeLinks, text: str
) -> None:
    """JavaScript strings are UTF-16 code units (two lone halves in a row pair up)."""
    data = node_links.compress(text)
    kind, value = node_links.ours(data, DEFAULT_LIMIT)

    assert kind == "value" and value is not None
    assert utf16_units(value) == utf16_units(node_links.lz_string(data) or "") == utf16_units(text)


@pytest.mark.subprocess
@given(text=st.text(min_size=1, max_size=500), slack=st.integers(-5, 5))
def test_accepts_and_refuses_at_the_bound_as_the_server(
    node_links: NodeLinks, text: str, slack: int
) -> None:
    data = node_links.compress(text)
    bound = max(0, utf16_length(text) + slack)

    assert as_server_text(node_links.ours(data, bound)) == server_outcome(data, bound)


@pytest.mark.subprocess
@given(data=st.text(alphabet=ALPHABET + " %é", max_size=400), bound=st.integers(0, 5_000))
def test_arbitrary_data_gets_the_servers_answer(
    node_links: NodeLinks, data: str, bound: int
) -> None:
    """Malformed data fails cleanly (never a hang, never garbage the server would refuse)."""
    assert as_server_text(node_links.ours(data, bound)) == server_outcome(data, bound)


@pytest.mark.subprocess
def test_a_70_kb_lzw_bomb_stops_at_the_bound(node_links: NodeLinks) -> None:
    data, expanded = lzw_bomb(70_000)
    assert expanded > 400_000_000  # what lz-string would try to build

    assert node_links.ours(data, DEFAULT_LIMIT) == ("too large", None)
    assert server_outcome(data, DEFAULT_LIMIT) == ("too large", None)
    small, small_expanded = lzw_bomb(300)
    assert node_links.ours(small, DEFAULT_LIMIT) == ("value", "a" * small_expanded)


@pytest.mark.subprocess
def test_a_bomb_is_refused_before_it_is_expanded(node_links: NodeLinks) -> None:
    """The bound is checked as the output grows, not once the whole link is decompressed.

    Told by what the decompressor builds (counted in the harness), not by time: refused at
    a bound of 10,000 characters, it has built about twice that (output and dictionary),
    where expanding the link would build millions.
    """
    data, expanded = lzw_bomb(4_000)
    assert expanded > 2_000_000
    bound = 10_000

    outcome, produced = node_links.ours_counting(data, bound)

    assert outcome == ("too large", None)
    assert produced <= 3 * bound, f"built {produced:,} characters before refusing"
    # The counter sees the work: a link within the bound counts its whole output.
    small, small_expanded = lzw_bomb(100)
    assert small_expanded < bound
    outcome, produced = node_links.ours_counting(small, bound)
    assert outcome == ("value", "a" * small_expanded)
    assert produced >= small_expanded


# -- the page --------------------------------------------------------------------------------


def page_link_limit(page: Page) -> int:
    limit = page.evaluate(
        "JSON.parse(document.getElementById('playground-config').textContent).linkMaxLength"
    )
    assert isinstance(limit, int) and limit > 0, limit
    return limit


def assert_page_still_works(notebook: NotebookPage) -> None:
    """Nothing was opened, and the page answers: a new cell runs."""
    expect(notebook.cells).to_have_count(0)
    cell = notebook.add_code_cell("6 * 7")
    notebook.run_with_shift_enter(cell)
    expect(notebook.output(cell)).to_have_text(exact_text("42"))


def test_a_link_expanding_to_hundreds_of_millions_of_characters_is_refused_at_once(
    notebook: NotebookPage,
) -> None:
    data, _ = lzw_bomb(70_000)

    notebook.open("/play#code/" + data)

    problem = notebook.page.get_by_test_id("link-problem")
    expect(problem).to_be_visible()
    expect(problem).to_contain_text("too large to open")
    expect(problem).to_contain_text(f"longer than {page_link_limit(notebook.page):,} characters")
    expect(problem).to_contain_text("Ask whoever sent the link")
    assert_page_still_works(notebook)


def _notebook_of_length(length: int) -> str:
    """A notebook in our format of exactly ``length`` characters (ASCII)."""
    overhead = len(notebook_source("marker = 'at the limit'"))
    padding = length - overhead
    line = "# " + "x" * 77 + "\n"
    rest = padding % len(line)
    code = line * (padding // len(line)) + ("#" * (rest - 1) + "\n" if rest else "")
    source = notebook_source(code + "marker = 'at the limit'")
    assert len(source) == length
    return source


def test_a_link_at_the_limit_opens_and_one_character_more_is_refused(
    notebook: NotebookPage,
) -> None:
    notebook.open()
    limit = page_link_limit(notebook.page)
    over = compress_to_encoded_uri_component(_notebook_of_length(limit + 1))
    at_limit = compress_to_encoded_uri_component(_notebook_of_length(limit))
    # The app's import decides the same way.
    assert server_outcome(over, limit)[0] == "too large"
    assert server_outcome(at_limit, limit)[0] == "value"

    notebook.open("/play#code/" + over)
    expect(notebook.page.get_by_test_id("link-problem")).to_contain_text("too large to open")
    expect(notebook.cells).to_have_count(0)

    notebook.open("/play#code/" + at_limit)
    expect(notebook.cells).to_have_count(1)
    notebook.run_all()
    expect(notebook.variable("marker")).to_be_visible()
    expect(notebook.page.get_by_test_id("link-problem")).to_be_hidden()


_VALID = notebook_source("shared = 'from the link'", "shared.upper()")


@pytest.mark.parametrize(
    ("fragment", "message"),
    [
        pytest.param(
            lambda data: data[: len(data) // 2],
            "ends too early; was it cut?",
            id="cut",
        ),
        pytest.param(lambda data: data[:10] + "é" + data[10:], "has a character", id="changed"),
        pytest.param(lambda data: "/" * 8, "has a character", id="not-lz-string"),
        pytest.param(lambda data: "zzzz", "is not lz-string data", id="garbage"),
        pytest.param(lambda data: "Q", "notebook is empty", id="empty"),
    ],
)
def test_a_broken_link_says_so_opens_nothing_else_and_a_good_link_still_opens(
    notebook: NotebookPage, fragment: Callable[[str], str], message: str
) -> None:
    good = compress_to_encoded_uri_component(_VALID)

    # A fresh browser would otherwise show the starter notebook (or the last draft).
    notebook.open("/play#code/" + fragment(good))

    problem = notebook.page.get_by_test_id("link-problem")
    expect(problem).to_contain_text(message)
    expect(problem).to_contain_text("nothing was opened")
    expect(notebook.cells).to_have_count(0)

    notebook.page.evaluate("hash => { location.hash = hash; }", "#code/" + good)
    expect(notebook.cells).to_have_count(2)
    expect(problem).to_be_hidden()
    notebook.run_all()
    expect(notebook.output(notebook.cell(1))).to_have_text(exact_text("'FROM THE LINK'"))


def test_a_percent_encoded_link_opens(notebook: NotebookPage) -> None:
    """Chat apps and mail clients may percent-encode a link; it opens, as on import."""
    data = compress_to_encoded_uri_component(notebook_source("price = '€ 100'", "price"))
    encoded = "".join(f"%{ord(char):02X}" for char in data)

    notebook.open("/play#code/" + encoded)

    expect(notebook.cells).to_have_count(2)
    expect(notebook.page.get_by_test_id("link-problem")).to_be_hidden()
