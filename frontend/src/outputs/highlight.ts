// Syntax highlighting of fenced code blocks in markdown, with what the editor
// already ships: lezer's Python parser and its class highlighter, so a block
// becomes escaped text in `<span class="tok-...">` (coloured by markdown.css).
// Other languages stay plain text.

import { pythonLanguage } from "@codemirror/lang-python";
import { classHighlighter, highlightCode } from "@lezer/highlight";

const PYTHON = new Set(["python", "python3", "py", "py3", "ipython", "ipython3"]);

// Parsing is linear, but a pasted megabyte of code need not be coloured.
const MAX_HIGHLIGHTED = 200_000;

function escapeHtml(text: string): string {
  return text.replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`);
}

/**
 * The language named by a fence's info string: its first word, as marimo writes
 * them too (`python`, `python {.marimo}`, `{.python}`), lower-cased; "" for none.
 */
export function fenceLanguage(info: string | undefined): string {
  return /^[\s{.]*([A-Za-z0-9_+#-]+)/.exec(info ?? "")?.[1]?.toLowerCase() ?? "";
}

/** Escaped HTML of `code`, with highlight spans when `language` is one we parse. */
export function highlightToHtml(code: string, language: string): string {
  if (!PYTHON.has(language) || code.length > MAX_HIGHLIGHTED) return escapeHtml(code);
  let html = "";
  highlightCode(
    code,
    pythonLanguage.parser.parse(code),
    classHighlighter,
    (text, classes) => {
      html += classes ? `<span class="${classes}">${escapeHtml(text)}</span>` : escapeHtml(text);
    },
    () => {
      html += "\n";
    },
  );
  return html;
}
