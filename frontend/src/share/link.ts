// Share links in the marimo playground's scheme: the notebook's .py source,
// lz-string compressed into the URL fragment (`/play#code/<...>`), so the
// notebook never reaches the server. Read-only and embed views add
// `?mode=read` / `?embed=true`.

import LZString from "lz-string";

const PREFIX = "#code/";

export function shareUrl(source: string, options: { read?: boolean; embed?: boolean } = {}): string {
  const url = new URL("/play", location.origin);
  if (options.embed) url.searchParams.set("embed", "true");
  if (options.read) url.searchParams.set("mode", "read");
  return url.href + PREFIX + LZString.compressToEncodedURIComponent(source);
}

/** The source in a `#code/...` fragment, or null when there is none (or it does not decode). */
export function sourceFromHash(hash: string): string | null {
  if (!hash.startsWith(PREFIX)) return null;
  const source = LZString.decompressFromEncodedURIComponent(hash.slice(PREFIX.length));
  return source ? source : null;
}

export function embedSnippet(source: string): string {
  const src = shareUrl(source, { read: true, embed: true }).replace(/&/g, "&amp;").replace(/"/g, "&quot;");
  return `<iframe src="${src}" width="100%" height="500" style="border:0" allow="cross-origin-isolated; clipboard-write" title="Playground notebook"></iframe>`;
}

/** The app's import page with `source` in its fragment (it never reaches a server log). */
export function importUrl(page: string, source: string): string {
  return page + PREFIX + LZString.compressToEncodedURIComponent(source);
}
