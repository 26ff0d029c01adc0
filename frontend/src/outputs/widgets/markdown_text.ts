// Markdown and HTML text with elements inside (`ui.md`, `ui.html`, and `ui.batch`,
// whose value is its elements' values by name). The text is sanitised exactly as
// markdown cells are (markdown.ts), keeping only the inert `<pg-ui data-id>` tag,
// which is then replaced by the embedded element's widget.

import { hardenLinks, htmlWithElementsToSafeHtml, markdownWithElementsToSafeHtml } from "../markdown";
import { childSpecs, el, shell, str } from "./dom";
import type { Children, Sink, UiSpec, Widget } from "./types";

export function markdown(spec: UiSpec, sink: Sink, children: Children): Widget {
  const { root, error } = shell(spec);
  root.classList.add("markdown-rendered");
  if (spec.label) {
    root.setAttribute("role", "group");
    root.setAttribute("aria-label", spec.label);
  }
  const body = el("div");
  // Untrusted markdown (or HTML, for ui.html): sanitised exactly as markdown cells are
  // (plus the <pg-ui> placeholder tag).
  body.innerHTML = spec.props.html
    ? htmlWithElementsToSafeHtml(str(spec.props.text))
    : markdownWithElementsToSafeHtml(str(spec.props.text));
  hardenLinks(body);
  const embedded = new Map(childSpecs(spec.props.elements).map((s) => [s.id, s]));
  const built = new Map<string, Widget>();
  for (const tag of body.querySelectorAll("pg-ui")) {
    const id = tag.getAttribute("data-id") ?? "";
    const child = embedded.get(id);
    if (child) {
      const widget = children.build(child, sink);
      built.set(id, widget);
      tag.replaceWith(widget.root);
    } else tag.remove();
  }
  root.append(body, error);
  // A batch (ui.batch) is markdown whose value is its elements' values by name: what a
  // form holding it submits.
  const batch = Array.isArray(spec.props.batch) ? (spec.props.batch as { key?: unknown; id?: unknown }[]) : null;
  const get = () =>
    batch ? Object.fromEntries(batch.map((b) => [str(b.key), built.get(str(b.id))?.get() ?? null])) : null;
  const set = (value: unknown) => {
    if (!batch || !value || typeof value !== "object") return;
    const values = value as Record<string, unknown>;
    for (const b of batch) if (str(b.key) in values) built.get(str(b.id))?.set(values[str(b.key)]);
  };
  return { spec, root, error, get, set };
}
