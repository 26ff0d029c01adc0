// TeX math in markdown, as marimo and pandoc read it: `$...$` and `\(...\)`
// inline, `$$...$$` and `\[...\]` displayed, typeset by KaTeX (the pinned npm
// package; its CSS and fonts are bundled by Vite and served from /static/,
// never from a CDN).
//
// Math is taken out by marked tokenizers before any other markdown rule sees
// it, so backslashes, `_` and `*` inside reach KaTeX exactly as written. A
// dollar sign is math only by pandoc's rules: the opening `$` is not followed
// by a space, the closing one is not preceded by a space nor followed by a
// digit, so "$5 and $10" stays text; `\$` is a literal dollar.
//
// KaTeX's output (spans with inline sizes, MathML with the TeX source as its
// annotation, a few SVG paths) is still untrusted HTML: markdown.ts sends it
// through DOMPurify with everything else. `trust: false` keeps `\href`,
// `\url`, `\includegraphics` and `\html*` from producing links or markup.

import katex from "katex";
import "katex/dist/katex.min.css";
import type { TokenizerAndRendererExtension, Tokens } from "marked";
import { blockStartInParagraph } from "./block_start";

/**
 * How math is drawn: `html` (KaTeX's layout, with MathML for screen readers;
 * needs KaTeX's CSS and fonts, so only in the page) or `mathml` (drawn by the
 * browser itself, for output frames, which cannot load our fonts).
 */
export type MathOutput = "html" | "mathml";

interface MathToken extends Tokens.Generic {
  type: "math" | "mathBlock";
  raw: string;
  text: string;
  display: boolean;
}

// How far ahead the inline `start` looks for math (below).
const START_SEARCH = 1000;

// Inline forms, tried in this order at a position where math may start. The TeX
// in each may not hold its own opening delimiter, so a scan for the closing one
// stops at the next opening one: unclosed delimiters cost linear time, not quadratic.
const DISPLAY_DOLLARS = /^\$\$((?:[^$]|\$(?!\$))+?)\$\$/;
const DISPLAY_BRACKETS = /^\\\[((?:\\[^[\]]|[^\\])+?)\\\]/;
const INLINE_PARENS = /^\\\(((?:\\[^()]|[^\\])+?)\\\)/;
// Pandoc's rule: `$` + non-space ... non-space + `$` not followed by a digit.
const INLINE_DOLLAR = /^\$(?![\s$])((?:\\[\s\S]|[^\\$])+?)(?<!\s)\$(?!\d)/;

// A display block on lines of its own ("$$", the TeX, "$$"; or all on one line).
const BLOCK_DOLLARS = /^ {0,3}\$\$((?:[^$]|\$(?!\$))+?)\$\$[ \t]*(?:\n+|$)/;
const BLOCK_BRACKETS = /^ {0,3}\\\[((?:\\[^[\]]|[^\\])+?)\\\][ \t]*(?:\n+|$)/;

function matchBlock(src: string): RegExpExecArray | null {
  return BLOCK_DOLLARS.exec(src) ?? BLOCK_BRACKETS.exec(src);
}

function token(raw: string, tex: string, display: boolean, type: MathToken["type"] = "math"): MathToken {
  return { type, raw, text: tex.trim(), display };
}

function matchInline(src: string): MathToken | undefined {
  let m: RegExpExecArray | null;
  if ((m = DISPLAY_DOLLARS.exec(src))) return token(m[0], m[1], true);
  if ((m = DISPLAY_BRACKETS.exec(src))) return token(m[0], m[1], true);
  if ((m = INLINE_PARENS.exec(src))) return token(m[0], m[1], false);
  if ((m = INLINE_DOLLAR.exec(src))) return token(m[0], m[1], false);
  return undefined;
}

function escapeHtml(text: string): string {
  return text.replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`);
}

/** The HTML for one formula; a formula KaTeX cannot read shows its source in red. */
export function renderTex(tex: string, display: boolean, output: MathOutput): string {
  try {
    return katex.renderToString(tex, {
      displayMode: display,
      output: output === "html" ? "htmlAndMathml" : "mathml",
      throwOnError: false, // a parse error becomes <span class="katex-error" title=...>source</span>
      strict: "ignore",
      trust: false,
      maxSize: 100, // em: no rule or box larger than this
      maxExpand: 1000,
    });
  } catch (error) {
    // Not a parse error (KaTeX rethrows those it does not expect): still the source, in red.
    const message = error instanceof Error ? error.message : String(error);
    return `<span class="katex-error" title="${escapeHtml(message)}">${escapeHtml(tex)}</span>`;
  }
}

/** marked extensions: inline math anywhere text is, display math as a block of its own. */
export function mathExtensions(output: MathOutput): TokenizerAndRendererExtension[] {
  const render = (t: Tokens.Generic): string => {
    const math = t as MathToken;
    const html = renderTex(math.text, math.display, output);
    return math.type === "mathBlock" ? `<div class="math-display">${html}</div>\n` : html;
  };
  return [
    {
      name: "mathBlock",
      level: "block",
      start(src) {
        return blockStartInParagraph(src, (line, rest) => /^ {0,3}(?:\$\$|\\\[)/.test(line) && matchBlock(rest) !== null);
      },
      tokenizer(src) {
        const m = matchBlock(src);
        return m ? token(m[0], m[1], true, "mathBlock") : undefined;
      },
      renderer: render,
    },
    {
      name: "math",
      level: "inline",
      start(src) {
        // Only the next stretch is searched: marked asks again after each piece of
        // text, and a search to the end of a long paragraph each time is quadratic.
        // Stopping short merely splits the text there (at a space: not inside an
        // entity or a URL).
        const index = src.slice(0, START_SEARCH).search(/\$|\\[([]/);
        if (index >= 0) return index;
        if (src.length <= START_SEARCH) return undefined;
        const space = src.lastIndexOf(" ", START_SEARCH);
        return space > 0 ? space : START_SEARCH;
      },
      tokenizer(src) {
        return matchInline(src);
      },
      renderer: render,
    },
  ];
}

// Code spans first (math inside them stays code), then each form of inline math.
// Every alternative stops at the next delimiter of its kind: linear time.
const MATH_OR_CODE = /(`+)[^`]*\1(?!`)|\$\$(?:[^$]|\$(?!\$))+?\$\$|\\\[(?:\\[^[\]]|[^\\])+?\\\]|\\\((?:\\[^()]|[^\\])+?\\\)|\$(?![\s$])(?:\\[\s\S]|[^\\$])+?(?<!\s)\$(?!\d)/g;

/**
 * For marked's `emStrongMask` hook: math spans turned into filler of the same
 * length, so a `*` or `_` inside a formula never closes emphasis opened outside it.
 */
export function maskMath(src: string): string {
  if (!src.includes("$") && !src.includes("\\")) return src;
  return src.replace(MATH_OR_CODE, (match, ticks: string | undefined) => (ticks ? match : "a".repeat(match.length)));
}
