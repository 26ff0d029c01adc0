// Markdown to safe HTML for markdown cells shown in the page itself. Shared
// notebooks are untrusted, so the HTML goes through DOMPurify (no scripts,
// no event handlers, no javascript: URLs); outputs use sandboxed frames instead.
//
// Markdown keeps inline `style` attributes (coloured text, centred images), but
// nothing that reaches beyond its own box: `<style>` elements (they restyle the
// whole page) are dropped, and so are the attributes that show an element in the
// browser's top layer, above the page and outside any containment (`popover`,
// `popovertarget`, invoker `command`/`commandfor`, which can open a modal
// `<dialog>`), and cursor images, which the system draws over whatever lies
// around the pointer. The rendered container's CSS (`contain: paint` on
// `.markdown-rendered`, styles.css) clips the rest, `position: fixed` included,
// to the cell (docs/security.md, "Markdown in the page").

import DOMPurify, { type Config } from "dompurify";
import { marked } from "marked";

// An instance of our own: its hook applies to markdown only.
const purifier = DOMPurify(window);
purifier.addHook("afterSanitizeAttributes", (node) => {
  const style = (node as Partial<ElementCSSInlineStyle>).style;
  if (!style || !/url\(/i.test(style.getPropertyValue("cursor"))) return;
  style.removeProperty("cursor");
  if (style.length === 0) (node as Element).removeAttribute("style");
});

const MARKDOWN: Config = {
  USE_PROFILES: { html: true },
  FORBID_TAGS: ["style"],
  FORBID_ATTR: ["popover", "popovertarget", "popovertargetaction", "command", "commandfor"],
};

function sanitize(text: string, extra: Config = {}): string {
  const html = marked.parse(text, { async: false, gfm: true, breaks: false });
  return purifier.sanitize(html, { ...MARKDOWN, ...extra });
}

export function markdownToSafeHtml(text: string): string {
  return sanitize(text);
}

/**
 * Markdown of a `ui.md` element, sanitised like markdown cells; the only extra
 * tag kept is the inert `<pg-ui data-id>` placeholder, which widgets.ts then
 * replaces with live widgets built from data.
 */
export function markdownWithElementsToSafeHtml(text: string): string {
  return sanitize(text, { ADD_TAGS: ["pg-ui"], ADD_ATTR: ["data-id"] });
}

/** Links in rendered markdown open in a new tab and never leak the page. */
export function hardenLinks(root: HTMLElement): void {
  for (const link of root.querySelectorAll("a[href]")) {
    link.setAttribute("target", "_blank");
    link.setAttribute("rel", "noopener noreferrer");
  }
}
