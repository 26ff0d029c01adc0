// Layouts: horizontal and vertical stacks, tabs and accordion. Their items are
// output bundles, drawn through the mimebundle renderer they are handed
// (Children.renderOutput), so rich items still go into sandboxed frames; inside a
// form a nested element stays local to the form. Tabs and accordion send which
// tab or sections are open.

import type { MimeBundle } from "../../kernel/messages";
import { el, nameOf, num, shell, str, strings, uid } from "./dom";
import { changed } from "./sending";
import { type Children, type Sink, UI_MIME, type UiSpec, type Widget } from "./types";

function bundles(value: unknown): MimeBundle[] {
  return Array.isArray(value) ? (value as MimeBundle[]) : [];
}

function renderBundle(bundle: unknown, name: string, sink: Sink, children: Children): HTMLElement {
  const b = (bundle ?? {}) as MimeBundle;
  // Inside a form, nested elements stay local too.
  if (sink.local && b[UI_MIME] && typeof b[UI_MIME] === "object") return children.build(b[UI_MIME] as UiSpec, sink).root;
  return children.renderOutput(b, name) ?? el("div");
}

export function stack(spec: UiSpec, sink: Sink, children: Children): Widget {
  const { root, error } = shell(spec);
  const p = spec.props;
  const row = p.direction === "row" || spec.kind === "hstack";
  const flexAlign: Record<string, string> = { start: "flex-start", end: "flex-end", center: "center", stretch: "stretch" };
  const flexJustify: Record<string, string> = { start: "flex-start", end: "flex-end", center: "center", "space-between": "space-between", "space-around": "space-around" };
  root.style.display = "flex";
  root.style.flexDirection = row ? "row" : "column";
  root.style.gap = `${num(p.gap, 0.5)}rem`;
  root.style.alignItems = flexAlign[str(p.align)] ?? "stretch";
  root.style.justifyContent = flexJustify[str(p.justify)] ?? "flex-start";
  root.style.flexWrap = p.wrap ? "wrap" : "nowrap";
  if (spec.label) {
    root.setAttribute("role", "group");
    root.setAttribute("aria-label", spec.label);
  }
  // Relative sizes along the stack (marimo's widths/heights), or natural sizes.
  const sizes = Array.isArray(p.sizes) ? (p.sizes as unknown[]).map((s) => num(s, 1)) : [];
  bundles(p.items).forEach((item, index) => {
    const wrap = el("div", { class: "ui-stack-item" });
    if (sizes.length) {
      wrap.style.flex = `${sizes[index] ?? 1} 1 0`;
      wrap.style.minWidth = "0";
    }
    wrap.append(renderBundle(item, spec.label || spec.kind, sink, children));
    root.append(wrap);
  });
  root.append(error);
  return { spec, root, error, get: () => null, set: () => undefined };
}

export function tabs(spec: UiSpec, sink: Sink, children: Children): Widget {
  const { root, error } = shell(spec);
  const items = (Array.isArray(spec.props.tabs) ? (spec.props.tabs as { label?: unknown; content?: unknown }[]) : []).map((t) => ({ label: str(t.label), content: t.content }));
  const list = el("div", { role: "tablist", "aria-label": nameOf(spec) });
  const panels: HTMLElement[] = [];
  const buttons = items.map((item) => {
    const tab = el("button", { type: "button", role: "tab", id: uid("tab") }, item.label);
    const panel = el("div", { role: "tabpanel", id: uid("panel"), "aria-labelledby": tab.id, tabindex: "0" });
    tab.setAttribute("aria-controls", panel.id);
    panel.append(renderBundle(item.content, item.label, sink, children));
    panels.push(panel);
    list.append(tab);
    return tab;
  });
  root.append(list, ...panels, error);
  let current = "";
  const set = (value: unknown) => {
    const index = Math.max(0, items.findIndex((i) => i.label === str(value)));
    current = items[index]?.label ?? "";
    buttons.forEach((b, i) => {
      b.setAttribute("aria-selected", String(i === index));
      b.tabIndex = i === index ? 0 : -1;
      panels[i].hidden = i !== index;
    });
  };
  set(spec.value);
  const widget: Widget = { spec, root, error, get: () => current, set };
  const choose = (index: number, focus: boolean) => {
    set(items[index].label);
    if (focus) buttons[index].focus();
    changed(widget, sink, items[index].label);
  };
  buttons.forEach((b, i) => {
    b.addEventListener("click", () => choose(i, false));
    b.addEventListener("keydown", (event) => {
      const n = buttons.length;
      const to = event.key === "ArrowRight" ? (i + 1) % n : event.key === "ArrowLeft" ? (i - 1 + n) % n : event.key === "Home" ? 0 : event.key === "End" ? n - 1 : -1;
      if (to >= 0) {
        event.preventDefault();
        choose(to, true);
      }
    });
  });
  return widget;
}

export function accordion(spec: UiSpec, sink: Sink, children: Children): Widget {
  const { root, error } = shell(spec);
  if (spec.label) {
    root.setAttribute("role", "group");
    root.setAttribute("aria-label", spec.label);
  }
  const multiple = spec.props.multiple === true;
  const sections = (Array.isArray(spec.props.sections) ? (spec.props.sections as { label?: unknown; content?: unknown }[]) : []).map((s) => {
    const header = el("h4", { class: "ui-accordion-title" });
    const toggle = el("button", { type: "button", "aria-expanded": "false", id: uid("acc") }, str(s.label));
    const panel = el("div", { role: "region", id: uid("accpanel"), "aria-labelledby": toggle.id, hidden: "" });
    toggle.setAttribute("aria-controls", panel.id);
    panel.append(renderBundle(s.content, str(s.label), sink, children));
    header.append(toggle);
    root.append(header, panel);
    return { label: str(s.label), toggle, panel };
  });
  root.append(error);
  let open: string[] = [];
  const set = (value: unknown) => {
    open = strings(value);
    for (const s of sections) {
      const isOpen = open.includes(s.label);
      s.toggle.setAttribute("aria-expanded", String(isOpen));
      s.panel.hidden = !isOpen;
    }
  };
  set(spec.value);
  const widget: Widget = { spec, root, error, get: () => [...open], set };
  for (const s of sections)
    s.toggle.addEventListener("click", () => {
      const next = open.includes(s.label) ? open.filter((l) => l !== s.label) : multiple ? [...open, s.label] : [s.label];
      set(next);
      changed(widget, sink, next);
    });
  return widget;
}
