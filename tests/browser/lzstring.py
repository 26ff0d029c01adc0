"""lz-string's ``compressToEncodedURIComponent``, so tests can build ``#code/`` links.

The playground reads a notebook from ``/play#code/<compressToEncodedURIComponent(source)>``
(the marimo playground's scheme, see docs/frontend-contract.md). This is a port of
lz-string 1.5's ``_compress`` with 6 bits per character and the URI-safe alphabet;
like the JavaScript original it works on UTF-16 code units. ``lzw_bomb`` builds link
data that expands with the square of its length, for the tests of the size bound.
"""

_URI_SAFE_ALPHABET = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+-$"
_BITS_PER_CHAR = 6


class _BitWriter:
    """Packs values, least significant bit first, into 6-bit alphabet characters."""

    def __init__(self) -> None:
        self.chars: list[str] = []
        self._value = 0
        self._position = 0

    def write(self, value: int, bits: int) -> None:
        for _ in range(bits):
            self._value = (self._value << 1) | (value & 1)
            value >>= 1
            if self._position == _BITS_PER_CHAR - 1:
                self.chars.append(_URI_SAFE_ALPHABET[self._value])
                self._value = 0
                self._position = 0
            else:
                self._position += 1

    def flush(self) -> str:
        # Like the original: pad with zero bits and always emit one more character,
        # even when the stream already ends on a character boundary.
        while True:
            self._value <<= 1
            if self._position == _BITS_PER_CHAR - 1:
                self.chars.append(_URI_SAFE_ALPHABET[self._value])
                return "".join(self.chars)
            self._position += 1


def _utf16_units(text: str) -> list[str]:
    data = text.encode("utf-16-le", "surrogatepass")
    return [chr(data[i] | (data[i + 1] << 8)) for i in range(0, len(data), 2)]


def compress_to_encoded_uri_component(text: str) -> str:
    """Return what ``LZString.compressToEncodedURIComponent(text)`` returns in the browser."""
    dictionary: dict[str, int] = {}
    to_create: set[str] = set()
    dict_size = 3
    num_bits = 2
    enlarge_in = 2  # compensates for the first entry, which does not count
    out = _BitWriter()
    w = ""

    def emit(word: str) -> None:
        nonlocal enlarge_in, num_bits
        if word in to_create:
            code = ord(word[0])
            if code < 256:
                out.write(0, num_bits)
                out.write(code, 8)
            else:
                out.write(1, num_bits)
                out.write(code, 16)
            enlarge_in -= 1
            if enlarge_in == 0:
                enlarge_in = 2**num_bits
                num_bits += 1
            to_create.discard(word)
        else:
            out.write(dictionary[word], num_bits)
        enlarge_in -= 1
        if enlarge_in == 0:
            enlarge_in = 2**num_bits
            num_bits += 1

    for c in _utf16_units(text):
        if c not in dictionary:
            dictionary[c] = dict_size
            dict_size += 1
            to_create.add(c)
        wc = w + c
        if wc in dictionary:
            w = wc
        else:
            emit(w)
            dictionary[wc] = dict_size
            dict_size += 1
            w = c
    if w:
        emit(w)
    out.write(2, num_bits)  # end of stream
    return out.flush()


def lzw_bomb(length: int) -> tuple[str, int]:
    """``length`` characters of link data, and how many characters it expands to.

    One literal "a", then every code names the entry being defined (LZW's "cScSc"
    case), so code *k* writes k + 1 characters: the output grows with the square of
    the link's length. Built from codes directly: compressing the expansion would
    take longer than decompressing it.
    """
    bits: list[int] = []

    def write(value: int, width: int) -> None:
        for _ in range(width):
            bits.append(value & 1)
            value >>= 1

    write(0, 2)  # a literal of 8 bits
    write(ord("a"), 8)
    size, width, enlarge_in, expanded = 4, 3, 4, 1
    while (len(bits) + 2 * width) // 6 < length:
        write(size, width)
        expanded += size - 2
        size += 1
        enlarge_in -= 1
        if enlarge_in == 0:
            enlarge_in, width = 1 << width, width + 1
    write(2, width)  # end of stream
    bits.extend([0] * (-len(bits) % 6))
    chars = [_URI_SAFE_ALPHABET[int("".join(map(str, bits[i : i + 6])), 2)] for i in range(0, len(bits), 6)]
    return "".join(chars), expanded
