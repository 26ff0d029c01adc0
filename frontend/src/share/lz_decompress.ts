// Reading the notebook in a `#code/<...>` link: lz-string's
// decompressFromEncodedURIComponent, written from lz-string 1.5's description of
// its format (an LZW stream of UTF-16 code units, packed 6 bits per character of
// a URL-safe alphabet, least significant bit first), with two differences:
//
// - it stops as soon as the output passes `maxLength` UTF-16 code units. LZW
//   output grows quadratically with the number of codes, so a 70 kB link can
//   otherwise expand to hundreds of millions of characters and hang the page;
// - malformed data throws `LinkDataError` saying what is wrong, where lz-string
//   returns null, "" or garbage.
//
// It mirrors the server's `notebooks/play_links.py` step for step, so the page and
// the app's import accept and refuse exactly the same links (same bound, the
// setting NOTEBOOK_MAX_BYTES); tests/browser/test_link_limits.py checks both.

const ALPHABET = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+-$";
const BITS_PER_CHAR = 6;
const VALUES: ReadonlyMap<string, number> = new Map([...ALPHABET].map((char, value) => [char, value]));

/** The link's data is not lz-string data (cut, changed, or never a link of ours). */
export class LinkDataError extends Error {}

/** The link's notebook is longer than the caller allows. */
export class LinkTooLarge extends LinkDataError {
  constructor(readonly maxLength: number) {
    super(`the link's notebook is longer than ${maxLength} characters`);
  }
}

class BitReader {
  private readonly values: Uint8Array;
  private index = 0;
  private current = 0;
  private mask = 0; // 0: load the next character

  constructor(text: string) {
    // Every character is checked up front, as the server does, so both refuse
    // the same links (lz-string itself ignores what follows the end marker).
    this.values = new Uint8Array(text.length);
    for (let i = 0; i < text.length; i++) {
      const value = VALUES.get(text[i]!);
      if (value === undefined) {
        const char = text.codePointAt(i)! > 0xffff ? String.fromCodePoint(text.codePointAt(i)!) : text[i]!;
        throw new LinkDataError(
          `the link's #code/ part has a character (${JSON.stringify(char)}) that lz-string links never contain; was the link cut or changed?`,
        );
      }
      this.values[i] = value;
    }
  }

  read(bits: number): number {
    let value = 0;
    for (let power = 0; power < bits; power++) {
      if (this.mask === 0) {
        if (this.index >= this.values.length) throw new LinkDataError("the link's #code/ part ends too early; was it cut?");
        this.current = this.values[this.index++]!;
        this.mask = 1 << (BITS_PER_CHAR - 1);
      }
      // Arithmetic, not shifts: codes may in principle be wider than 31 bits.
      if (this.current & this.mask) value += 2 ** power;
      this.mask >>= 1;
    }
    return value;
  }
}

/**
 * What lz-string's `decompressFromEncodedURIComponent(encoded)` returns for a valid
 * link (a JavaScript string: UTF-16 code units, lone surrogates included).
 * Throws `LinkTooLarge` once the output passes `maxLength` code units, and
 * `LinkDataError` for data lz-string never writes.
 */
export function decompressFromEncodedURIComponent(encoded: string, maxLength: number): string {
  const reader = new BitReader(encoded.replace(/ /g, "+"));
  const dictionary: string[] = ["", "", ""]; // codes 0-2 are commands
  let width = 2;
  let enlargeIn = 4;
  const first = reader.read(2);
  if (first === 2) return "";
  if (first !== 0 && first !== 1) throw new LinkDataError("the link's #code/ part is not lz-string data");
  let word = String.fromCharCode(reader.read(first === 0 ? 8 : 16));
  dictionary.push(word);
  width = 3;
  const units = [word];
  let length = 1;
  for (;;) {
    let code = reader.read(width);
    if (code === 0 || code === 1) {
      dictionary.push(String.fromCharCode(reader.read(code === 0 ? 8 : 16)));
      code = dictionary.length - 1;
      enlargeIn -= 1;
      if (enlargeIn === 0) {
        enlargeIn = 2 ** width;
        width += 1;
      }
    } else if (code === 2) {
      return units.join("");
    }
    let entry: string;
    if (code < dictionary.length) entry = dictionary[code]!;
    else if (code === dictionary.length) entry = word + word[0];
    else throw new LinkDataError("the link's #code/ part is corrupt; was it changed?");
    units.push(entry);
    length += entry.length;
    if (length > maxLength) throw new LinkTooLarge(maxLength);
    dictionary.push(word + entry[0]);
    enlargeIn -= 1;
    word = entry;
    if (enlargeIn === 0) {
      enlargeIn = 2 ** width;
      width += 1;
    }
  }
}
