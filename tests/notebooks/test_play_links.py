"""The ``/play#code/`` decompressor against the real lz-string (Node) and our compressor port.

The links people paste come from the browser's lz-string (``frontend/node_modules``,
the same package the playground bundles), so the decompressor is checked against
what that JavaScript writes; property tests then check it against
``tests/browser/lzstring.py`` on any text.
"""

from __future__ import annotations

import json
import shutil
import subprocess
import tracemalloc
from collections.abc import Iterator
from pathlib import Path

import pytest
from hypothesis import given
from hypothesis import strategies as st

from notebooks.play_links import (
    PlayLinkError,
    PlayLinkTooLarge,
    lz_decompress_uri,
    source_from_play_link,
)
from tests.browser.lzstring import compress_to_encoded_uri_component, lzw_bomb

LZ_STRING_JS = (
    Path(__file__).resolve().parents[2] / "frontend/node_modules/lz-string/libs/lz-string.js"
)

_REALISTIC_CELL = """# %% name=plot{n}
import math
xs = [i / 10 for i in range(100)]
ys = [math.sin(x) * {n} for x in xs]  # amplitude {n}: ±{n}
print(f"max={{max(ys):.2f}}")
"""

SAMPLES: dict[str, str] = {
    "empty": "",
    "one letter": "a",
    "ascii notebook": "# %% name=a\nx = 1\n\n# %% name=b\ny = x + 1\ny\n",
    "accents and symbols": "café = 'naïve résumé'  # €, £, ±, ≤, →, ©\n",
    "cjk": "数据 = ['你好', '世界', 'こんにちは', '안녕하세요'] * 3\n",
    "emoji": "mood = '😀🎉🐍'  # astral: surrogate pairs in UTF-16\n",
    "emoji sequences": "family = '👨‍👩‍👧‍👦'; flag = '🇫🇷'; thumbs = '👍🏽'\n",
    "math alphabet": "𝑥 = 1\n𝔘𝔫𝔦𝔠𝔬𝔡𝔢 = '𝟘𝟙𝟚'\n",
    "control characters": "s = '\\t tab \\r\\n'\n\x00\x01\x7f\n",
    "every 8-bit char": "".join(map(chr, range(256))),
    "bmp sample": "".join(chr(c) for c in range(0x100, 0xD7FF, 37)),
    "large notebook": "".join(_REALISTIC_CELL.format(n=n) for n in range(2_500)),
    "large repetitive": "print('hello')\n" * 40_000,
    "large emoji": "🐍" * 30_000 + "é" * 30_000,
}


def _node_compress(texts: list[str]) -> list[str]:
    node = shutil.which("node")
    assert node, "Node is needed to check links against the real lz-string: install nodejs."
    assert LZ_STRING_JS.is_file(), (
        f"{LZ_STRING_JS} is missing: run `cd frontend && npm ci` (the playground needs it too)."
    )
    script = (
        f"const LZ = require({json.dumps(str(LZ_STRING_JS))});"
        "let input = ''; process.stdin.setEncoding('utf8');"
        "process.stdin.on('data', (part) => { input += part; });"
        "process.stdin.on('end', () => {"
        " const texts = JSON.parse(input);"
        " process.stdout.write(JSON.stringify(texts.map(LZ.compressToEncodedURIComponent)));"
        "});"
    )
    done = subprocess.run(
        [node, "-e", script],
        input=json.dumps(texts),
        capture_output=True,
        text=True,
        timeout=60,
        check=True,
    )
    return list(json.loads(done.stdout))


@pytest.fixture(scope="module")
def js_links() -> dict[str, str]:
    """What the browser's lz-string makes of each sample (one Node run for them all)."""
    return dict(zip(SAMPLES, _node_compress(list(SAMPLES.values())), strict=True))


@pytest.mark.subprocess
@pytest.mark.parametrize("name", list(SAMPLES))
def test_decompresses_what_the_javascript_lz_string_wrote(
    js_links: dict[str, str], name: str
) -> None:
    assert lz_decompress_uri(js_links[name]) == SAMPLES[name]


@pytest.mark.subprocess
def test_our_compressor_port_writes_what_the_javascript_writes(js_links: dict[str, str]) -> None:
    """The property tests below rely on the port being exact."""
    for name in ("ascii notebook", "emoji sequences", "large notebook"):
        assert compress_to_encoded_uri_component(SAMPLES[name]) == js_links[name]


@pytest.mark.subprocess
def test_a_lone_surrogate_from_javascript_becomes_a_replacement_character() -> None:
    (link,) = _node_compress(["a\ud800b"])

    assert lz_decompress_uri(link) == "a\ufffdb"


@given(st.text())
def test_round_trip_with_our_compressor(text: str) -> None:
    assert lz_decompress_uri(compress_to_encoded_uri_component(text)) == text


@given(st.text(alphabet=st.characters(min_codepoint=0x1F300, max_codepoint=0x1FAFF), min_size=1))
def test_round_trip_of_astral_text(text: str) -> None:
    assert lz_decompress_uri(compress_to_encoded_uri_component(text)) == text


@given(st.text(alphabet="ab", min_size=1, max_size=3_000))
def test_round_trip_of_highly_repetitive_text(text: str) -> None:
    """Few symbols exercise the LZW corner case of a code defined by itself (cScSc)."""
    assert lz_decompress_uri(compress_to_encoded_uri_component(text)) == text


@given(st.text(min_size=1))
def test_a_link_whose_plus_signs_became_spaces_still_opens(text: str) -> None:
    """Form encoding and some chat apps turn "+" into " "; lz-string accepts that too."""
    data = compress_to_encoded_uri_component(text)

    assert lz_decompress_uri(data.replace("+", " ")) == text


def test_a_percent_encoded_link_opens() -> None:
    source = "x = '€€€€€€€€€€€€'\n" * 5
    data = compress_to_encoded_uri_component(source)
    encoded = data.replace("$", "%24").replace("+", "%2B")

    assert source_from_play_link(f"https://playground.example/play#code/{encoded}") == source


def test_a_link_broken_over_lines_opens_whole_or_as_its_code_part() -> None:
    source = "x = '€€€€€€€€€€€€'\n" * 5
    data = compress_to_encoded_uri_component(source)
    wrapped = data[:10] + "\n" + data[10:20] + "\r\n\t" + data[20:]

    for link in (
        f"https://playground.example/play#code/{wrapped}",
        f"#code/{wrapped}",
        f"  #code/{wrapped}\n",
    ):
        assert source_from_play_link(link) == source


def test_max_length_stops_decompressing_at_the_limit() -> None:
    source = "a" * 50_000
    data = compress_to_encoded_uri_component(source)

    assert lz_decompress_uri(data, max_length=50_000) == source
    with pytest.raises(PlayLinkTooLarge, match="longer than 49999 characters"):
        lz_decompress_uri(data, max_length=49_999)


def test_max_length_also_bounds_a_whole_link() -> None:
    data = compress_to_encoded_uri_component("a" * 50_000)

    with pytest.raises(PlayLinkTooLarge, match="longer than 49999 characters"):
        source_from_play_link(f"#code/{data}", max_length=49_999)


# lz-string's URL-safe alphabet: a character per 6 bits.
ALPHABET = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+-$"


def _stream(*codes: tuple[int, int]) -> str:
    """Link data holding these (value, width) codes, least significant bit first."""
    bits = [(value >> i) & 1 for value, width in codes for i in range(width)]
    bits.extend([0] * (-len(bits) % 6))
    return "".join(
        ALPHABET[int("".join(map(str, bits[i : i + 6])), 2)] for i in range(0, len(bits), 6)
    )


NO_CODE = "this link holds no notebook: it has no #code/ part"
CUT = "the link's #code/ part ends too early; was it cut?"


@pytest.mark.parametrize(
    ("link", "message"),
    [
        ("https://playground.example/play", NO_CODE),
        ("https://playground.example/play#file/abc", NO_CODE),
        ("#code/", CUT),
        ("#code/AAAA", CUT),
        (
            "#code/é",
            "the link's #code/ part has a character ('é') that lz-string links never "
            "contain; was the link cut or changed?",
        ),
        ("#code/Q", "this link's notebook is empty"),
        (
            "#code/" + "/" * 8,
            "the link's #code/ part has a character ('/') that lz-string links "
            "never contain; was the link cut or changed?",
        ),
        # A first code of 3 (only 0, 1 and 2 exist), and a reference past the dictionary.
        ("#code/" + _stream((3, 2)), "the link's #code/ part is not lz-string data"),
        (
            "#code/" + _stream((0, 2), (ord("a"), 8), (5, 3)),
            "the link's #code/ part is corrupt; was it changed?",
        ),
    ],
)
def test_links_that_hold_no_notebook_say_so(link: str, message: str) -> None:
    with pytest.raises(PlayLinkError) as refused:
        source_from_play_link(link)
    assert str(refused.value) == message


def test_max_length_refuses_a_bomb_before_expanding_it() -> None:
    """The bound is checked as the output grows: told by memory used, not by time.

    Expanding this link would build about 9 million characters (and as many bytes);
    refused at a bound of 10,000, the decompressor's peak stays far below that.
    """
    data, expanded = lzw_bomb(8_000)
    assert expanded > 5_000_000
    small, small_expanded = lzw_bomb(300)

    tracemalloc.start()
    try:
        with pytest.raises(PlayLinkTooLarge):
            lz_decompress_uri(data, max_length=10_000)
        _, refused_peak = tracemalloc.get_traced_memory()
        tracemalloc.reset_peak()
        assert lz_decompress_uri(small, max_length=100_000) == "a" * small_expanded
        _, small_peak = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()

    assert refused_peak < 1_000_000, f"{refused_peak:,} bytes at the peak before refusing"
    assert small_peak > small_expanded  # the measure sees what a decompression builds


class ReferenceDecoder:
    """lz-string's own decompressFromEncodedURIComponent, in one Node process (a line each)."""

    def __init__(self, process: subprocess.Popen[str]) -> None:
        self._process = process

    def decode(self, data: str) -> str | None:
        """What lz-string returns (None for null or when it throws), surrogates joined as
        the server joins them."""
        assert self._process.stdin and self._process.stdout
        self._process.stdin.write(json.dumps(data) + "\n")
        self._process.stdin.flush()
        line = self._process.stdout.readline()
        assert line, "the Node process stopped; see its stderr above"
        value = json.loads(line)
        if value is None:
            return None
        return value.encode("utf-16-le", "surrogatepass").decode("utf-16-le", "replace")


@pytest.fixture(scope="module")
def reference() -> Iterator[ReferenceDecoder]:
    node = shutil.which("node")
    assert node, "Node is needed to check links against the real lz-string: install nodejs."
    assert LZ_STRING_JS.is_file(), f"{LZ_STRING_JS} is missing: run `cd frontend && npm ci`."
    script = (
        f"const LZ = require({json.dumps(str(LZ_STRING_JS))});"
        "const lines = require('readline').createInterface({input: process.stdin});"
        "lines.on('line', (line) => {"
        " let value; try { value = LZ.decompressFromEncodedURIComponent(JSON.parse(line)); }"
        " catch { value = null; }"
        " process.stdout.write(JSON.stringify(typeof value === 'string' ? value : null) + '\\n');"
        "});"
    )
    process = subprocess.Popen(
        [node, "-e", script],
        stdin=subprocess.PIPE,
        stdout=subprocess.PIPE,
        text=True,
        encoding="utf-8",
    )
    yield ReferenceDecoder(process)
    assert process.stdin
    process.stdin.close()
    process.wait(timeout=30)


@st.composite
def _code_stream(draw: st.DrawFn) -> str:
    """Well-formed lz-string data its compressor never writes: literals of characters
    already seen, references to any earlier entry, the entry being defined (cScSc), in
    any order. Written code by code, with the widths the decoder reads them at."""
    bits: list[int] = []

    def write(value: int, width: int) -> None:
        for _ in range(width):
            bits.append(value & 1)
            value >>= 1

    chars = st.sampled_from("ab") | st.integers(0, 0xFFFF)

    def literal(width: int) -> None:
        char = draw(chars)
        code = ord(char) if isinstance(char, str) else char
        wide = code > 0xFF or draw(st.booleans())
        write(1 if wide else 0, width)
        write(code, 16 if wide else 8)

    literal(2)
    size, width, enlarge_in = 4, 3, 4  # the decoder's dictionary size, code width, countdown
    for _ in range(draw(st.integers(0, 40))):
        kind = draw(st.sampled_from(["literal", "entry", "next"]))
        if kind == "literal":
            literal(width)
            size += 1
            enlarge_in -= 1
            if enlarge_in == 0:
                enlarge_in, width = 1 << width, width + 1
        elif kind == "entry":
            write(draw(st.integers(3, size - 1)), width)
        else:
            write(size, width)
        size += 1  # every code defines one entry
        enlarge_in -= 1
        if enlarge_in == 0:
            enlarge_in, width = 1 << width, width + 1
    write(2, width)  # end of stream
    bits.extend([0] * (-len(bits) % 6))
    return "".join(
        ALPHABET[int("".join(map(str, bits[i : i + 6])), 2)] for i in range(0, len(bits), 6)
    )


@st.composite
def _link_data(draw: st.DrawFn) -> str:
    """Link data of every kind: random characters (mostly malformed), well-formed streams
    lz-string's compressor never writes, and real links cut, changed or extended (often
    still decodable, sometimes to something else)."""
    kind = draw(st.sampled_from(["random", "codes", "link"]))
    if kind == "random":
        return draw(st.text(alphabet=ALPHABET, max_size=300))
    if kind == "codes":
        return draw(_code_stream())
    data = compress_to_encoded_uri_component(draw(st.text(max_size=200)))
    edit = draw(st.sampled_from(["none", "cut", "change", "append"]))
    at = draw(st.integers(0, len(data)))
    char = draw(st.sampled_from(ALPHABET))
    if edit == "cut":
        return data[:at]
    if edit == "change":
        return data[:at] + char + data[at + 1 :]
    if edit == "append":
        return data + char
    return data


@pytest.mark.subprocess
@given(data=_link_data(), bound=st.integers(0, 2_000) | st.just(100_000))
def test_arbitrary_link_data_decodes_as_lz_string_does_or_fails_cleanly(
    reference: ReferenceDecoder, data: str, bound: int
) -> None:
    """Whatever it decodes is what lz-string decodes, within the bound, and survives a
    round trip through the reference encoder; what it refuses as too large and lz-string
    decodes, is over the bound. (Any other exception fails the test.)"""
    try:
        decoded = lz_decompress_uri(data, max_length=bound)
    except PlayLinkTooLarge:
        # Refused as soon as the output passed the bound; data broken further on makes
        # lz-string answer null or "" instead of its (long) text.
        expanded = reference.decode(data)
        if expanded:
            assert len(expanded.encode("utf-16-le")) // 2 > bound
        return
    except PlayLinkError:
        return
    assert decoded == reference.decode(data)
    # The first character is never checked against the bound (nor in the page's
    # decompressor): a bound of 0 still lets one through.
    assert len(decoded.encode("utf-16-le")) // 2 <= max(bound, 1)
    assert lz_decompress_uri(compress_to_encoded_uri_component(decoded)) == decoded


@pytest.mark.subprocess
@given(_code_stream())
def test_well_formed_data_its_compressor_never_writes_decodes_as_lz_string_decodes_it(
    reference: ReferenceDecoder, data: str
) -> None:
    """Any well-formed stream opens (other compressors may choose other codes), with
    lz-string's text: a decoder that only knows its compressor's habits fails here."""
    decoded = lz_decompress_uri(data)

    assert decoded == reference.decode(data)
    assert lz_decompress_uri(compress_to_encoded_uri_component(decoded)) == decoded
