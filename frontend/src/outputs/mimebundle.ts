// Rendering a cell's output mimebundle (the `output` event's `data`): the
// richest type we can show safely wins. HTML, SVG and markdown go into a
// sandboxed frame; PNG/JPEG become <img> from data: URLs; JSON is pretty-printed;
// anything else falls back to text/plain. UI element specs become live
// widgets in the page itself (widgets/), given this renderer for the outputs
// their layouts hold (so widgets/ never imports this module).

import type { MimeBundle } from "../kernel/messages";
import { outputFrame } from "./frame";
import { markdownToFrameHtml } from "./markdown";
import { renderUiElement, UI_MIME } from "./widgets";

function text(value: unknown): string {
  return typeof value === "string" ? value : JSON.stringify(value, null, 2);
}

function pre(className: string, content: string): HTMLElement {
  const element = document.createElement("pre");
  element.className = className;
  element.textContent = content;
  return element;
}

function image(mime: string, data: unknown, alt: string): HTMLElement {
  const img = document.createElement("img");
  img.className = "output-image";
  // Only base64 characters may follow, so the data cannot end the URL early.
  img.src = `data:${mime};base64,${String(data).replace(/[^A-Za-z0-9+/=]/g, "")}`;
  img.alt = alt;
  return img;
}

/** The element showing `bundle`, or null for an empty bundle (no output); `cellName` as `cell 'base'`. */
export function renderMimeBundle(bundle: MimeBundle, cellName: string): HTMLElement | null {
  const plain = typeof bundle["text/plain"] === "string" ? (bundle["text/plain"] as string) : "";
  const title = `output of ${cellName}`;
  // Live UI elements are our own controls built from data, in the page (widgets/).
  if (UI_MIME in bundle) {
    const widget = renderUiElement(bundle[UI_MIME], renderMimeBundle);
    if (widget) return widget;
  }
  if ("text/html" in bundle) return outputFrame(text(bundle["text/html"]), title);
  if ("image/svg+xml" in bundle) return outputFrame(text(bundle["image/svg+xml"]), title);
  if ("image/png" in bundle) return image("image/png", bundle["image/png"], plain || title);
  if ("image/jpeg" in bundle) return image("image/jpeg", bundle["image/jpeg"], plain || title);
  // Rendered markdown is still untrusted: it goes into the frame as well, sanitised,
  // rendered here by the same code as markdown cells (math as MathML: the frame cannot
  // load KaTeX's fonts).
  if ("text/markdown" in bundle) return outputFrame(markdownToFrameHtml(text(bundle["text/markdown"])), title);
  if ("application/json" in bundle) return pre("output-json", JSON.stringify(bundle["application/json"], null, 2));
  if ("text/plain" in bundle) return pre("output-text", plain);
  const first = Object.keys(bundle)[0];
  return first === undefined ? null : pre("output-text", `(${first} output cannot be shown here)`);
}
