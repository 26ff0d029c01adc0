// Elements made of elements, whose value is their children's values: array (a
// list), dictionary (by key) and form. A form's children send nothing: they hold
// their values locally until Submit sends the whole value to the form's id.

import { childSpecs, el, legend, nameOf, shell, str } from "./dom";
import { changed } from "./sending";
import type { Children, Sink, UiSpec, Widget } from "./types";

export function array(spec: UiSpec, sink: Sink, children: Children): Widget {
  const { root, error } = shell(spec, "fieldset");
  legend(spec, root);
  const items = childSpecs(spec.props.elements).map((child) => children.build(child, sink));
  root.append(...items.map((c) => c.root), error);
  return {
    spec, root, error,
    get: () => items.map((c) => c.get()),
    set(value) {
      if (Array.isArray(value)) items.forEach((c, i) => i < value.length && c.set(value[i]));
    },
  };
}

export function dictionary(spec: UiSpec, sink: Sink, children: Children): Widget {
  const { root, error } = shell(spec, "fieldset");
  legend(spec, root);
  const entries = (Array.isArray(spec.props.elements) ? (spec.props.elements as { key?: unknown; element?: UiSpec }[]) : [])
    .filter((e) => e.element)
    .map((e) => ({ key: str(e.key), widget: children.build(e.element!, sink) }));
  root.append(...entries.map((e) => e.widget.root), error);
  return {
    spec, root, error,
    get: () => Object.fromEntries(entries.map((e) => [e.key, e.widget.get()])),
    set(value) {
      if (value && typeof value === "object") {
        const v = value as Record<string, unknown>;
        for (const e of entries) if (e.key in v) e.widget.set(v[e.key]);
      }
    },
  };
}

export function form(spec: UiSpec, sink: Sink, children: Children): Widget {
  const { root, error } = shell(spec);
  const formEl = el("form", { class: "ui-form", "aria-label": nameOf(spec) });
  if (spec.label) formEl.append(el("div", { class: "ui-label" }, spec.label));
  const local: Sink = { local: true, send: () => undefined };
  const innerSpec = spec.props.element as UiSpec | undefined;
  const inner = innerSpec ? children.build(innerSpec, local) : null;
  const submit = el("button", { type: "submit", class: "ui-button ui-submit" }, str(spec.props.submit_label) || "Submit");
  formEl.append(...(inner ? [inner.root] : []), submit);
  root.append(formEl, error);
  const widget: Widget = {
    spec, root, error,
    get: () => (inner ? inner.get() : null),
    set(value) {
      if (value !== null && inner) inner.set(value);
    },
  };
  formEl.addEventListener("submit", (event) => {
    event.preventDefault();
    changed(widget, sink, inner ? inner.get() : null);
  });
  return widget;
}
