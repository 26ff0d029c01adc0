// Choosing among the spec's options: dropdown, radio group and multiselect (which
// keeps the order things were chosen in and enforces max_selections).

import { el, labelFor, legend, shell, str, strings, uid } from "./dom";
import { changed } from "./sending";
import type { Sink, UiSpec, Widget } from "./types";

export function dropdown(spec: UiSpec, sink: Sink): Widget {
  const { root, error } = shell(spec);
  const select = el("select");
  const none = el("option", { value: "" }, "—");
  select.append(none);
  const options = strings(spec.props.options);
  options.forEach((label, index) => select.append(el("option", { value: String(index) }, label)));
  const set = (value: unknown) => {
    const index = value === null ? -1 : options.indexOf(str(value));
    select.value = index < 0 ? "" : String(index);
  };
  set(spec.value);
  const label = labelFor(spec, select);
  root.append(...(label ? [label] : []), select, error);
  const get = () => (select.value === "" ? null : options[Number(select.value)]);
  const widget: Widget = { spec, root, error, get, set };
  select.addEventListener("change", () => changed(widget, sink, get()));
  return widget;
}

export function radio(spec: UiSpec, sink: Sink): Widget {
  const { root, error } = shell(spec, "fieldset");
  root.setAttribute("role", "radiogroup");
  legend(spec, root);
  if (spec.props.inline) root.classList.add("ui-inline");
  const name = uid("radio");
  const options = strings(spec.props.options);
  const inputs = options.map((label) => {
    const input = el("input", { type: "radio", name, value: label });
    const wrap = el("label", { class: "ui-option" });
    wrap.append(input, document.createTextNode(label));
    root.append(wrap);
    return input;
  });
  root.append(error);
  const set = (value: unknown) => inputs.forEach((input) => (input.checked = value !== null && input.value === str(value)));
  set(spec.value);
  const get = () => inputs.find((i) => i.checked)?.value ?? null;
  const widget: Widget = { spec, root, error, get, set };
  for (const input of inputs) input.addEventListener("change", () => changed(widget, sink, get()));
  return widget;
}

export function multiselect(spec: UiSpec, sink: Sink): Widget {
  const { root, error } = shell(spec);
  const options = strings(spec.props.options);
  const max = typeof spec.props.max_selections === "number" ? spec.props.max_selections : null;
  const select = el("select", { multiple: "", size: String(Math.min(Math.max(options.length, 2), 8)) });
  options.forEach((label) => select.append(el("option", { value: label }, label)));
  const note = el("div", { class: "ui-note", role: "status" });
  let order: string[] = [];
  const set = (value: unknown) => {
    order = strings(value).filter((v) => options.includes(v));
    for (const option of select.options) option.selected = order.includes(option.value);
  };
  set(spec.value);
  const label = labelFor(spec, select);
  root.append(...(label ? [label] : []), select, note, error);
  const widget: Widget = { spec, root, error, get: () => [...order], set };
  select.addEventListener("change", () => {
    const chosen = [...select.selectedOptions].map((o) => o.value);
    const next = [...order.filter((v) => chosen.includes(v)), ...chosen.filter((v) => !order.includes(v))];
    if (max !== null && next.length > max) {
      note.textContent = `Choose at most ${max}.`;
      set(order);
      return;
    }
    note.textContent = "";
    order = next;
    changed(widget, sink, [...order]);
  });
  select.addEventListener("keydown", (event) => {
    if ((event.key === "Backspace" || event.key === "Delete") && select.selectedOptions.length) {
      event.preventDefault();
      const focused = select.options[select.selectedIndex]?.value;
      order = order.filter((v) => v !== focused);
      set(order);
      changed(widget, sink, [...order]);
    }
  });
  return widget;
}
