// Share links in the marimo playground's scheme: a notebook file, lz-string
// compressed into the URL fragment (`/play#code/<...>`), so the notebook never
// reaches the server. Links we make hold marimo's file format (asMarimoFile), so
// they open in marimo's playground too; links holding our .py format or marimo's
// both open here. Read-only and embed views add `?mode=read` / `?embed=true`.
// lz-string compresses; reading a link uses our bounded decompressor (lz_decompress.ts).

import LZString from "lz-string";
import type { NotebookFile } from "../kernel/messages";
import { decompressFromEncodedURIComponent, LinkDataError, LinkTooLarge } from "./lz_decompress";

const PREFIX = "#code/";

/**
 * The notebook to serialize for a link: the worker's serialize request writes
 * marimo's file format when the file says `format: "marimo"` (kernels/transports/worker_requests.py,
 * serialize_notebook), our own format otherwise (drafts, the account).
 */
export function asMarimoFile(file: NotebookFile): NotebookFile & { format: "marimo" } {
  return { ...file, format: "marimo" };
}

export function shareUrl(source: string, options: { read?: boolean; embed?: boolean } = {}): string {
  const url = new URL("/play", location.origin);
  if (options.embed) url.searchParams.set("embed", "true");
  if (options.read) url.searchParams.set("mode", "read");
  return url.href + PREFIX + LZString.compressToEncodedURIComponent(source);
}

/** Why a `#code/` link opened nothing; the message says what happened and what to do. */
export class LinkProblem extends Error {}

/**
 * The source in a `#code/...` fragment, or null when there is none. A link that
 * is broken, empty, or holds more than `maxLength` UTF-16 code units (the page
 * config's `linkMaxLength`, the server's NOTEBOOK_MAX_BYTES) throws `LinkProblem`;
 * decompression stops at that bound, so no link can hang the page.
 */
export function sourceFromHash(hash: string, maxLength: number): string | null {
  if (!hash.startsWith(PREFIX)) return null;
  let data = hash.slice(PREFIX.length);
  try {
    // Some apps percent-encode "$" or "+"; the server's import unquotes too.
    data = decodeURIComponent(data);
  } catch {
    // A stray "%": the decompressor refuses it with a message.
  }
  let source: string;
  try {
    source = decompressFromEncodedURIComponent(data, maxLength);
  } catch (error) {
    if (error instanceof LinkTooLarge) {
      throw new LinkProblem(
        `This link's notebook is too large to open: it is longer than ${maxLength.toLocaleString("en")} characters, ` +
          "the limit for a notebook, so nothing was opened. Ask whoever sent the link for a smaller notebook " +
          "(large data belongs in a file or URL the notebook loads, not in its code).",
      );
    }
    if (error instanceof LinkDataError) {
      throw new LinkProblem(
        `This link holds no notebook that can be opened (${error.message}), so nothing was opened. ` +
          "Copy the whole link again, or ask whoever sent it for a new one.",
      );
    }
    throw error;
  }
  if (!source.trim()) {
    throw new LinkProblem("This link's notebook is empty, so nothing was opened. Add a cell below, or open one of your drafts.");
  }
  return source;
}

export function embedSnippet(source: string): string {
  const src = shareUrl(source, { read: true, embed: true }).replace(/&/g, "&amp;").replace(/"/g, "&quot;");
  return `<iframe src="${src}" width="100%" height="500" style="border:0" allow="cross-origin-isolated; clipboard-write" title="Playground notebook"></iframe>`;
}

/** The app's import page with `source` in its fragment (it never reaches a server log). */
export function importUrl(page: string, source: string): string {
  return page + PREFIX + LZString.compressToEncodedURIComponent(source);
}
