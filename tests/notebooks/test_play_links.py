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
from tests.browser.lzstring import compress_to_encoded_uri_component

LZ_STRING_JS = (
    Path(__file__).resolve().parents[2] / "frontend/node_modules/lz-string/libs/lz-string.js"
)

_REALISTIC_CELL = '''# %% name=plot{n}
import math
xs = [i / 10 for i in range(100)]
ys = [math.sin(x) * {n} for x in xs]  # amplitude {n}: ±{n}
print(f"max={{max(ys):.2f}}")
'''

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


def test_max_length_stops_decompressing_at_the_limit() -> None:
    source = "a" * 50_000
    data = compress_to_encoded_uri_component(source)

    assert lz_decompress_uri(data, max_length=50_000) == source
    with pytest.raises(PlayLinkTooLarge, match="longer than 49999 characters"):
        lz_decompress_uri(data, max_length=49_999)


@pytest.mark.parametrize(
    ("link", "message"),
    [
        ("https://playground.example/play", "this link holds no notebook: it has no #code/ part"),
        ("https://playground.example/play#file/abc", "it has no #code/ part"),
        ("#code/", "ends too early"),
        ("#code/AAAA", "ends too early"),
        ("#code/é", "has a character ('é') that lz-string links never contain"),
        ("#code/Q", "this link's notebook is empty"),
        ("#code/" + "/" * 8, "has a character ('/')"),
    ],
)
def test_links_that_hold_no_notebook_say_so(link: str, message: str) -> None:
    with pytest.raises(PlayLinkError, match=message.replace("(", r"\(").replace(")", r"\)")):
        source_from_play_link(link)


@given(st.text(alphabet="ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+-$"))
def test_arbitrary_link_data_decodes_or_fails_cleanly(data: str) -> None:
    try:
        lz_decompress_uri(data, max_length=100_000)
    except PlayLinkError:
        pass
