// Markdown to safe HTML for markdown cells shown in the page itself. Shared
// notebooks are untrusted, so the HTML goes through DOMPurify (no scripts,
// no event handlers, no javascript: URLs); outputs use sandboxed frames instead.

import DOMPurify from "dompurify";
import { marked } from "marked";

export function markdownToSafeHtml(text: string): string {
  const html = marked.parse(text, { async: false, gfm: true, breaks: false });
  return DOMPurify.sanitize(html, { USE_PROFILES: { html: true } });
}

/**
 * Markdown of a `ui.md` element, sanitised like markdown cells; the only extra
 * tag kept is the inert `<pg-ui data-id>` placeholder, which widgets.ts then
 * replaces with live widgets built from data.
 */
export function markdownWithElementsToSafeHtml(text: string): string {
  const html = marked.parse(text, { async: false, gfm: true, breaks: false });
  return DOMPurify.sanitize(html, { USE_PROFILES: { html: true }, ADD_TAGS: ["pg-ui"], ADD_ATTR: ["data-id"] });
}

/** Links in rendered markdown open in a new tab and never leak the page. */
export function hardenLinks(root: HTMLElement): void {
  for (const link of root.querySelectorAll("a[href]")) {
    link.setAttribute("target", "_blank");
    link.setAttribute("rel", "noopener noreferrer");
  }
}
