// Admonitions (call-out boxes) in markdown, in the two syntaxes marimo users
// bring:
//
// - pymdown-extensions "blocks", which marimo's `mo.md` uses:
//       /// warning | Optional title
//       Any markdown, nested blocks included.
//       ///
//   kinds note, info, tip, hint, important, warning, caution, danger, error,
//   attention (and the other mkdocs-material names), `admonition` with a
//   `type:` option, and `details` (a collapsible <details>, `open: true` to
//   start open). Options are indented `key: value` lines right after the
//   header. A block ends at a line of as many slashes as opened it; an inner
//   block with the same count nests, fenced code inside is skipped.
// - Python-Markdown's `!!! note "Title"` (mkdocs), body indented by four
//   spaces, and pymdownx.details' `??? note` / `???+ note` (collapsible).
//
// The output is plain HTML with classes (`admonition <kind>`,
// `admonition-title`), styled by markdown.css; it goes through DOMPurify with
// the rest of the markdown.

import type { Token, TokenizerAndRendererExtension, Tokens } from "marked";
import { blockStartInParagraph } from "./block_start";

const KINDS = new Set([
  "note", "info", "tip", "hint", "important", "warning", "caution", "danger", "error", "attention",
  "success", "question", "example", "quote", "abstract", "bug", "failure",
]);

interface AdmonitionToken extends Tokens.Generic {
  type: "admonition";
  raw: string;
  classes: string[];
  title: string | null;
  titleTokens: Token[];
  tokens: Token[];
  details: boolean;
  open: boolean;
}

// Headers are split by these (no nested or overlapping quantifiers: linear on any
// line) and the parts checked in code.
const BLOCK_HEADER = /^ {0,3}(\/{3,})[ \t]*([A-Za-z][\w-]*)(.*)$/;
const BLOCK_CLOSE = /^ {0,3}(\/{3,})[ \t]*$/;
const BLOCK_OPTION = /^(?: {4}|\t)[ \t]*([A-Za-z_][\w-]*)[ \t]*:(.*)$/;
const FENCE_OPEN = /^ {0,3}(`{3,}|~{3,})/;
const BANG_HEADER = /^ {0,3}(!!!|\?\?\?\+?)[ \t]+(.*)$/;
const INDENTED = /^(?: {4}|\t)/;

// Deeper boxes stay text. An unclosed block runs to the end of the text, so a
// thousand unclosed headers would otherwise nest a thousand deep (and rescan the
// rest of the text at each level).
const MAX_NESTING = 16;
let nesting = 0;

function capitalize(word: string): string {
  return word.charAt(0).toUpperCase() + word.slice(1).replace(/[-_]+/g, " ");
}

function cssClass(word: string): string | null {
  const lower = word.toLowerCase();
  return /^[a-z][a-z0-9_-]*$/.test(lower) ? lower : null;
}

function truthy(value: string | undefined): boolean {
  return /^(true|yes|on|1)$/i.test(value ?? "");
}

interface Line {
  text: string;
  /** Offset of the line's first character in the source. */
  start: number;
  /** Offset just after the line and its newline. */
  next: number;
}

/**
 * The lines of `src` from offset `from`, read as they are asked for: a block is
 * found at every block start and reads only as far as its own end, never the
 * whole rest of the text.
 */
function* linesFrom(src: string, from: number): Generator<Line> {
  for (let start = from; start < src.length; ) {
    const newline = src.indexOf("\n", start);
    const end = newline < 0 ? src.length : newline;
    const next = newline < 0 ? src.length : newline + 1;
    yield { text: src.slice(start, end), start, next };
    start = next;
  }
}

function firstLine(src: string): Line {
  const first = linesFrom(src, 0).next();
  return first.done ? { text: "", start: 0, next: 0 } : first.value;
}

/** The line closing a block opened with `slashes` slashes, or null when none does. */
function closingLine(lines: Iterable<Line>, slashes: number): Line | null {
  let depth = 1;
  let fence: string | null = null;
  for (const line of lines) {
    const text = line.text;
    if (fence !== null) {
      const close = /^ {0,3}(`{3,}|~{3,})[ \t]*$/.exec(text);
      if (close && close[1][0] === fence[0] && close[1].length >= fence.length) fence = null;
      continue;
    }
    const open = FENCE_OPEN.exec(text);
    if (open) {
      fence = open[1];
      continue;
    }
    const close = BLOCK_CLOSE.exec(text);
    if (close && close[1].length === slashes) {
      if (--depth === 0) return line;
      continue;
    }
    if (anyBlockHeader(text)?.slashes === slashes) depth++;
  }
  return null;
}

interface Parsed {
  raw: string;
  classes: string[];
  title: string | null;
  body: string;
  details: boolean;
  open: boolean;
}

interface BlockHeader {
  slashes: number;
  name: string;
  title: string;
}

/** A pymdown block header (`/// kind | title`) of any name, or null. */
function anyBlockHeader(line: string): BlockHeader | null {
  const m = BLOCK_HEADER.exec(line);
  if (!m) return null;
  const rest = m[3].trim();
  if (rest !== "" && !rest.startsWith("|")) return null;
  return { slashes: m[1].length, name: m[2].toLowerCase(), title: rest.slice(1).trim() };
}

/** The header of a pymdown block we draw, or null. */
function blockHeader(line: string): BlockHeader | null {
  const header = anyBlockHeader(line);
  if (!header) return null;
  const { name } = header;
  return KINDS.has(name) || name === "admonition" || name === "details" ? header : null;
}

interface BangHeader {
  marker: string;
  classes: string[];
  title: string | undefined;
}

/** A `!!! kind "title"` / `??? kind` header, or null. */
function bangHeader(line: string): BangHeader | null {
  const m = BANG_HEADER.exec(line);
  if (!m) return null;
  let words = m[2];
  let title: string | undefined;
  const quote = words.indexOf('"');
  if (quote >= 0) {
    const end = words.lastIndexOf('"');
    if (end === quote || words.slice(end + 1).trim() !== "") return null;
    title = words.slice(quote + 1, end);
    words = words.slice(0, quote);
  }
  const classes = words.trim().split(/[ \t]+/);
  if (!classes.every((word) => /^[\w-]+$/.test(word))) return null;
  const valid = classes.map(cssClass).filter((w): w is string => w !== null);
  return valid.length > 0 ? { marker: m[1], classes: valid, title } : null;
}

function opensBlock(line: string): boolean {
  return blockHeader(line) !== null || bangHeader(line) !== null;
}

function parseBlock(src: string): Parsed | undefined {
  const first = firstLine(src);
  const header = blockHeader(first.text);
  if (!header) return undefined;
  const { name } = header;
  const options: Record<string, string> = {};
  let bodyStart = first.next;
  for (const line of linesFrom(src, first.next)) {
    const m = BLOCK_OPTION.exec(line.text);
    if (!m) break;
    options[m[1].toLowerCase()] = m[2].trim().replace(/^(["'])(.*)\1$/, "$2");
    bodyStart = line.next;
  }
  // Unclosed, the block runs to the end of the text, as in pymdown.
  const end = closingLine(linesFrom(src, bodyStart), header.slashes);
  const type = options.type ? cssClass(options.type) : null;
  const details = name === "details";
  const kind = details || name === "admonition" ? type : name;
  const given = header.title;
  const title = given !== "" ? given : details ? "Details" : kind && name !== "admonition" ? capitalize(kind) : null;
  return {
    raw: end === null ? src : src.slice(0, end.next),
    classes: kind ? [kind] : [],
    title,
    body: end === null ? src.slice(bodyStart) : src.slice(bodyStart, Math.max(bodyStart, end.start - 1)),
    details,
    open: truthy(options.open),
  };
}

function parseBang(src: string): Parsed | undefined {
  const first = firstLine(src);
  const header = bangHeader(first.text);
  if (!header) return undefined;
  let last: Line | null = null;
  for (const line of linesFrom(src, first.next)) {
    if (INDENTED.test(line.text)) last = line;
    else if (line.text.trim() !== "") break;
  }
  const { marker, classes, title } = header;
  const body = last === null ? "" : src.slice(first.next, last.start + last.text.length);
  return {
    raw: src.slice(0, (last ?? first).next),
    classes,
    title: title === undefined ? capitalize(classes[0]) : title === "" ? null : title,
    body: body.split("\n").map((line) => line.replace(INDENTED, "")).join("\n"),
    details: marker !== "!!!",
    open: marker === "???+",
  };
}

export const admonitionExtension: TokenizerAndRendererExtension = {
  name: "admonition",
  level: "block",
  childTokens: ["titleTokens", "tokens"],
  start(src) {
    if (nesting >= MAX_NESTING) return undefined;
    return blockStartInParagraph(src, opensBlock);
  },
  tokenizer(src) {
    if (nesting >= MAX_NESTING) return undefined;
    const parsed = parseBlock(src) ?? parseBang(src);
    if (!parsed) return undefined;
    const titleTokens: Token[] = [];
    if (parsed.title !== null) this.lexer.inline(parsed.title, titleTokens);
    nesting++;
    let tokens: Token[];
    try {
      tokens = this.lexer.blockTokens(parsed.body, []);
    } finally {
      nesting--;
    }
    const token: AdmonitionToken = {
      type: "admonition",
      raw: parsed.raw,
      classes: parsed.classes,
      title: parsed.title,
      titleTokens,
      tokens,
      details: parsed.details,
      open: parsed.open,
    };
    return token;
  },
  renderer(t) {
    const token = t as AdmonitionToken;
    const body = this.parser.parse(token.tokens);
    const title = token.title === null ? null : this.parser.parseInline(token.titleTokens);
    const classes = ["admonition", ...(token.details ? ["details"] : []), ...token.classes].join(" ");
    if (token.details) {
      return `<details class="${classes}"${token.open ? " open" : ""}><summary class="admonition-title">${title ?? "Details"}</summary>${body}</details>\n`;
    }
    return `<div class="${classes}">${title === null ? "" : `<p class="admonition-title">${title}</p>`}${body}</div>\n`;
  },
};
