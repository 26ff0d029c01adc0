// Single-value inputs: slider, range slider, number, text and text area, checkbox
// and switch, date, and the button and run button. Each is one native control
// with its label; a change is sent at once (sliders on every `input` event).

import { el, labelFor, legend, nameOf, num, shell, str } from "./dom";
import { changed } from "./sending";
import type { Sink, UiSpec, Widget } from "./types";

function formatNumber(value: number): string {
  return Number.isInteger(value) ? String(value) : String(Math.round(value * 1e6) / 1e6);
}

export function slider(spec: UiSpec, sink: Sink): Widget {
  const { root, error } = shell(spec);
  const p = spec.props;
  const input = el("input", { type: "range", min: str(p.start), max: str(p.stop), step: p.step == null ? "any" : str(p.step) });
  input.value = str(spec.value);
  const shown = el("output", { class: "ui-value" }, formatNumber(num(spec.value, 0)));
  const label = labelFor(spec, input);
  shown.setAttribute("for", input.id);
  root.append(...(label ? [label] : []), input, shown, error);
  const widget: Widget = {
    spec, root, error,
    get: () => Number(input.value),
    set(value) {
      input.value = str(value);
      shown.textContent = formatNumber(Number(input.value));
    },
  };
  input.addEventListener("input", () => {
    shown.textContent = formatNumber(Number(input.value));
    changed(widget, sink, Number(input.value));
  });
  return widget;
}

export function rangeSlider(spec: UiSpec, sink: Sink): Widget {
  const { root, error } = shell(spec, "fieldset");
  legend(spec, root);
  const p = spec.props;
  const make = (which: string) => {
    const input = el("input", { type: "range", min: str(p.start), max: str(p.stop), step: p.step == null ? "any" : str(p.step), "aria-label": `${nameOf(spec)}: ${which}` });
    return input;
  };
  const low = make("low");
  const high = make("high");
  const shown = el("output", { class: "ui-value" });
  const show = () => (shown.textContent = `${formatNumber(Number(low.value))} – ${formatNumber(Number(high.value))}`);
  const set = (value: unknown) => {
    const [a, b] = Array.isArray(value) ? value : [p.start, p.stop];
    low.value = str(a);
    high.value = str(b);
    show();
  };
  set(spec.value);
  root.append(low, high, shown, error);
  const widget: Widget = { spec, root, error, get: () => [Number(low.value), Number(high.value)], set };
  for (const [input, other, isLow] of [[low, high, true], [high, low, false]] as const) {
    input.addEventListener("input", () => {
      if (isLow ? Number(input.value) > Number(other.value) : Number(input.value) < Number(other.value)) input.value = other.value;
      show();
      changed(widget, sink, widget.get());
    });
  }
  return widget;
}

export function numberInput(spec: UiSpec, sink: Sink): Widget {
  const { root, error } = shell(spec);
  const p = spec.props;
  const input = el("input", { type: "number", step: p.step == null ? "any" : str(p.step) });
  if (p.start != null) input.min = str(p.start);
  if (p.stop != null) input.max = str(p.stop);
  input.value = str(spec.value);
  const label = labelFor(spec, input);
  root.append(...(label ? [label] : []), input, error);
  const widget: Widget = { spec, root, error, get: () => Number(input.value), set: (v) => (input.value = str(v)) };
  let last = input.value;
  const send = () => {
    if (input.value === "" || !Number.isFinite(Number(input.value)) || input.value === last) return;
    last = input.value;
    changed(widget, sink, Number(input.value));
  };
  input.addEventListener("input", send);
  input.addEventListener("blur", send);
  return widget;
}

export function textInput(spec: UiSpec, sink: Sink, area: boolean): Widget {
  const { root, error } = shell(spec);
  const p = spec.props;
  const input = area ? el("textarea", { rows: str(p.rows ?? 4) }) : el("input", { type: "text" });
  if (p.placeholder) input.setAttribute("placeholder", str(p.placeholder));
  if (typeof p.max_length === "number") input.setAttribute("maxlength", String(p.max_length));
  input.value = str(spec.value);
  const label = labelFor(spec, input);
  root.append(...(label ? [label] : []), input, error);
  const widget: Widget = { spec, root, error, get: () => input.value, set: (v) => (input.value = str(v)) };
  input.addEventListener("input", () => changed(widget, sink, input.value));
  return widget;
}

export function checkbox(spec: UiSpec, sink: Sink, isSwitch: boolean): Widget {
  const { root, error } = shell(spec);
  const input = el("input", { type: "checkbox" });
  if (isSwitch) input.setAttribute("role", "switch");
  const set = (value: unknown) => {
    input.checked = value === true;
    if (isSwitch) input.setAttribute("aria-checked", String(input.checked));
  };
  set(spec.value);
  const label = labelFor(spec, input);
  root.append(input, ...(label ? [label] : []), error);
  const widget: Widget = { spec, root, error, get: () => input.checked, set };
  input.addEventListener("change", () => {
    if (isSwitch) input.setAttribute("aria-checked", String(input.checked));
    changed(widget, sink, input.checked);
  });
  return widget;
}

export function dateInput(spec: UiSpec, sink: Sink): Widget {
  const { root, error } = shell(spec);
  const input = el("input", { type: "date" });
  if (spec.props.start) input.min = str(spec.props.start);
  if (spec.props.stop) input.max = str(spec.props.stop);
  input.value = str(spec.value);
  const label = labelFor(spec, input);
  root.append(...(label ? [label] : []), input, error);
  const widget: Widget = { spec, root, error, get: () => input.value, set: (v) => (input.value = str(v)) };
  input.addEventListener("change", () => {
    if (input.value) changed(widget, sink, input.value);
  });
  return widget;
}

export function button(spec: UiSpec, sink: Sink, run: boolean): Widget {
  const { root, error } = shell(spec);
  const control = el("button", { type: "button", class: "ui-button" }, spec.label || (run ? "Run" : "Click"));
  root.append(control, error);
  const widget: Widget = { spec, root, error, get: () => (run ? true : null), set: () => undefined };
  control.addEventListener("click", () => changed(widget, sink, run ? true : null, false));
  return widget;
}
