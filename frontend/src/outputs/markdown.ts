// Markdown to safe HTML for markdown cells and `ui.md` elements shown in the
// page itself, and for `text/markdown` output shown in output frames. Shared
// notebooks are untrusted, so the HTML goes through DOMPurify (no scripts,
// no event handlers, no javascript: URLs).
//
// Markdown as marimo users write it: GFM (tables), `$...$`/`$$...$$` math
// typeset by KaTeX (math.ts), Python code blocks highlighted (highlight.ts),
// admonitions `/// note | Title` and `!!! note` (admonitions.ts). Their look
// is markdown.css.
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
//
// What KaTeX needs is allowed, and no more: DOMPurify's MathML profile (MathML
// has no scripts or URLs that DOMPurify does not already check) plus the two
// MathML tags it leaves out, `semantics` and `annotation` (the TeX source, as
// text; `annotation-xml`, which can hold HTML, stays forbidden), and three SVG
// tags KaTeX draws radicals, arrows and cancels with (`svg`, `path`, `line`,
// with their geometry attributes; no other SVG, so no `use`, `image`,
// `foreignObject` or animation). KaTeX's inline styles are sizes and offsets,
// kept like any other inline style.

import DOMPurify, { type Config } from "dompurify";
import { Marked } from "marked";
import { admonitionExtension } from "./admonitions";
import { fenceLanguage, highlightToHtml } from "./highlight";
import "./markdown.css";
import markdownCss from "./markdown.css?inline";
import { maskMath, mathExtensions, type MathOutput } from "./math";

// An instance of our own: its hook applies to markdown only.
const purifier = DOMPurify(window);
purifier.addHook("afterSanitizeAttributes", (node) => {
  const style = (node as Partial<ElementCSSInlineStyle>).style;
  if (!style || !/url\(/i.test(style.getPropertyValue("cursor"))) return;
  style.removeProperty("cursor");
  if (style.length === 0) (node as Element).removeAttribute("style");
});

const KATEX_TAGS = ["semantics", "annotation", "svg", "path", "line"];
const KATEX_ATTRIBUTES = ["encoding", "viewbox", "preserveaspectratio", "d", "x1", "y1", "x2", "y2", "stroke-width"];

const MARKDOWN = {
  USE_PROFILES: { html: true, mathMl: true },
  ADD_TAGS: KATEX_TAGS,
  ADD_ATTR: KATEX_ATTRIBUTES,
  FORBID_TAGS: ["style", "annotation-xml"],
  FORBID_ATTR: ["popover", "popovertarget", "popovertargetaction", "command", "commandfor"],
} satisfies Config;

function markdownParser(math: MathOutput): Marked {
  return new Marked({
    gfm: true,
    breaks: false,
    extensions: [admonitionExtension, ...mathExtensions(math)],
    hooks: { emStrongMask: maskMath },
    renderer: {
      code({ text, lang }) {
        const language = fenceLanguage(lang);
        const cls = language ? ` class="language-${language}"` : "";
        return `<pre class="code-block"><code${cls}>${highlightToHtml(text.replace(/\n$/, ""), language)}</code></pre>\n`;
      },
    },
  });
}

// In the page, KaTeX lays math out with its own CSS and fonts; output frames cannot
// load those (an opaque origin), so there the browser draws KaTeX's MathML itself.
const pageMarkdown = markdownParser("html");
const frameMarkdown = markdownParser("mathml");

function sanitize(parser: Marked, text: string, extra: { tags?: string[]; attributes?: string[] } = {}): string {
  const html = parser.parse(text, { async: false });
  return purifier.sanitize(html, {
    ...MARKDOWN,
    ADD_TAGS: [...MARKDOWN.ADD_TAGS, ...(extra.tags ?? [])],
    ADD_ATTR: [...MARKDOWN.ADD_ATTR, ...(extra.attributes ?? [])],
  });
}

export function markdownToSafeHtml(text: string): string {
  return sanitize(pageMarkdown, text);
}

/**
 * Markdown of a `ui.md` element, sanitised like markdown cells; the only extra
 * tag kept is the inert `<pg-ui data-id>` placeholder, which widgets/markdown_text.ts then
 * replaces with live widgets built from data.
 */
export function markdownWithElementsToSafeHtml(text: string): string {
  return sanitize(pageMarkdown, text, { tags: ["pg-ui"], attributes: ["data-id"] });
}

/**
 * HTML of a `ui.html` element (marimo's `mo.Html`, callouts, stats...): not markdown,
 * but sanitised exactly like it, with the same `<pg-ui data-id>` placeholders.
 */
export function htmlWithElementsToSafeHtml(text: string): string {
  return purifier.sanitize(text, {
    ...MARKDOWN,
    ADD_TAGS: [...MARKDOWN.ADD_TAGS, "pg-ui"],
    ADD_ATTR: [...MARKDOWN.ADD_ATTR, "data-id"],
  });
}

/**
 * A whole document body for an output frame showing `text/markdown` output:
 * the same sanitised markdown (math as MathML), with markdown.css inlined.
 */
export function markdownToFrameHtml(text: string): string {
  return `<style>${markdownCss}</style><div class="markdown-rendered">${sanitize(frameMarkdown, text)}</div>`;
}

/** Links in rendered markdown open in a new tab and never leak the page. */
export function hardenLinks(root: HTMLElement): void {
  for (const link of root.querySelectorAll("a[href]")) {
    link.setAttribute("target", "_blank");
    link.setAttribute("rel", "noopener noreferrer");
  }
}
