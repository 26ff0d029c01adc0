"""Reading ``/play#code/<...>`` links: the notebook source inside them.

The playground (and marimo's) puts a notebook's source in the URL fragment,
compressed with lz-string's ``compressToEncodedURIComponent`` (see
``frontend/src/share/link.ts``). This is the matching decompressor, written from
lz-string 1.5's description of its format: an LZW stream of UTF-16 code units,
packed 6 bits per character of a URL-safe alphabet, least significant bit first.
"""

from __future__ import annotations

from urllib.parse import unquote, urlsplit

_ALPHABET = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+-$"
_VALUES = {char: value for value, char in enumerate(_ALPHABET)}
_BITS_PER_CHAR = 6


class PlayLinkError(ValueError):
    """The link holds no notebook, or one that does not decompress."""


class PlayLinkTooLarge(PlayLinkError):
    """The link's notebook is longer than the caller allows (LZW data expands quadratically)."""


class _BitReader:
    def __init__(self, text: str) -> None:
        try:
            self._values = [_VALUES[char] for char in text]
        except KeyError as error:
            raise PlayLinkError(
                f"the link's #code/ part has a character ({error.args[0]!r}) that lz-string "
                "links never contain; was the link cut or changed?"
            ) from None
        self._index = 0
        self._mask = 0  # 0: load the next character

    def read(self, bits: int) -> int:
        value = 0
        for power in range(bits):
            if self._mask == 0:
                if self._index >= len(self._values):
                    raise PlayLinkError("the link's #code/ part ends too early; was it cut?")
                self._current = self._values[self._index]
                self._index += 1
                self._mask = 1 << (_BITS_PER_CHAR - 1)
            if self._current & self._mask:
                value |= 1 << power
            self._mask >>= 1
        return value


def lz_decompress_uri(encoded: str, *, max_length: int | None = None) -> str:
    """lz-string's ``decompressFromEncodedURIComponent``; raises ``PlayLinkError`` if malformed.

    ``max_length`` bounds the result (in UTF-16 code units): a link of a few hundred
    kilobytes can otherwise decompress to gigabytes.
    """
    reader = _BitReader(encoded.replace(" ", "+"))
    dictionary: list[str] = ["", "", ""]  # codes 0-2 are commands
    width = 2
    enlarge_in = 4
    first = reader.read(2)
    if first == 2:
        return ""
    if first not in (0, 1):
        raise PlayLinkError("the link's #code/ part is not lz-string data")
    word = chr(reader.read(8 if first == 0 else 16))
    dictionary.append(word)
    width = 3
    units = [word]
    length = 1
    while True:
        code = reader.read(width)
        if code in (0, 1):
            dictionary.append(chr(reader.read(8 if code == 0 else 16)))
            code = len(dictionary) - 1
            enlarge_in -= 1
            if enlarge_in == 0:
                enlarge_in = 1 << width
                width += 1
        elif code == 2:
            return _from_utf16_units("".join(units))
        if code < len(dictionary):
            entry = dictionary[code]
        elif code == len(dictionary):
            entry = word + word[0]
        else:
            raise PlayLinkError("the link's #code/ part is corrupt; was it changed?")
        units.append(entry)
        length += len(entry)
        if max_length is not None and length > max_length:
            raise PlayLinkTooLarge(f"the link's notebook is longer than {max_length} characters")
        dictionary.append(word + entry[0])
        enlarge_in -= 1
        word = entry
        if enlarge_in == 0:
            enlarge_in = 1 << width
            width += 1


def _from_utf16_units(text: str) -> str:
    """Join surrogate pairs (lz-string works on JavaScript's UTF-16 code units)."""
    return text.encode("utf-16-le", "surrogatepass").decode("utf-16-le", "replace")


def source_from_play_link(link: str, *, max_length: int | None = None) -> str:
    """The notebook source in a ``.../play#code/<data>`` URL (or a bare ``#code/<data>``)."""
    # A whole address or only its #code/ part, alike: urlsplit also drops the tabs and line
    # breaks a link picks up when a message wraps it.
    fragment = "#" + urlsplit(link.strip()).fragment
    if not fragment.startswith("#code/"):
        raise PlayLinkError("this link holds no notebook: it has no #code/ part")
    source = lz_decompress_uri(unquote(fragment[len("#code/") :]), max_length=max_length)
    if not source.strip():
        raise PlayLinkError("this link's notebook is empty")
    return source
