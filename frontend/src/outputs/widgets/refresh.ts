// The refresh element (`ui.refresh`, marimo's `mo.ui.refresh`): a button and an
// interval picker whose timer sends a tick to the element, so its readers re-run.
// One timer per element id, kept in state.ts, whatever the number of outputs
// showing it; ticks are skipped while the kernel is busy or the previous tick is
// still queued (kernel_activity.ts), and inside a form there is no timer at all.

import { kernelFollowed, kernelIdle } from "../kernel_activity";
import { el, num, shell, str } from "./dom";
import { changed, kernelSink } from "./sending";
import { liveElements, type RefreshClock } from "./state";
import type { Sink, UiSpec, Widget } from "./types";

const OFF = "off";

function refreshTick(id: string, clock: RefreshClock): void {
  if (![...clock.widgets].some((w) => w.root.isConnected)) {
    // Every widget of the element left the page (its cell re-ran or went): stop.
    stopRefreshClock(clock);
    if (liveElements.refreshClocks.get(id) === clock) liveElements.refreshClocks.delete(id);
    return;
  }
  if (kernelFollowed() && (!kernelIdle() || liveElements.refreshesPending.has(id))) return;
  sendRefresh(id, clock.choice);
}

function sendRefresh(id: string, choice: string): void {
  if (kernelFollowed()) liveElements.refreshesPending.add(id);
  kernelSink.send(id, choice);
}

function stopRefreshClock(clock: RefreshClock): void {
  if (clock.timer !== null) window.clearInterval(clock.timer);
  clock.timer = null;
}

function setRefreshChoice(id: string, clock: RefreshClock, choice: string, seconds: number | null): void {
  stopRefreshClock(clock);
  clock.choice = seconds === null ? OFF : choice;
  if (seconds !== null) clock.timer = window.setInterval(() => refreshTick(id, clock), seconds * 1000);
  for (const widget of clock.widgets) if (widget.root.isConnected) widget.show(clock.choice);
}

export function refresh(spec: UiSpec, sink: Sink): Widget {
  const { root, error } = shell(spec);
  const options = (Array.isArray(spec.props.options) ? (spec.props.options as { label?: unknown; seconds?: unknown }[]) : [])
    .map((o) => ({ label: str(o.label), seconds: num(o.seconds, 0) }))
    .filter((o) => o.label !== "" && o.seconds > 0);
  const name = spec.label || "Refresh";
  const control = el("button", { type: "button", class: "ui-button" }, name);
  const picker = el("select", { "aria-label": `${name} interval` });
  picker.append(el("option", { value: OFF }, OFF), ...options.map((o) => el("option", { value: o.label }, o.label)));
  root.append(control, ...(options.length ? [picker] : []), error);
  const widget: Widget = { spec, root, error, get: () => null, set: () => undefined };
  const secondsOf = (choice: string) => options.find((o) => o.label === choice)?.seconds ?? null;
  if (sink.local) {
    // Inside a form nothing is sent until submit: no timer.
    control.addEventListener("click", () => changed(widget, sink, picker.value, false));
    return widget;
  }
  // Another output already showing this element keeps its clock (and the user's
  // choice); otherwise the element is new (its cell ran): start from its spec.
  let clock = liveElements.refreshClocks.get(spec.id);
  const shown = clock !== undefined && [...clock.widgets].some((w) => w.root.isConnected);
  if (!clock || !shown) {
    if (clock) stopRefreshClock(clock);
    clock = { choice: OFF, timer: null, widgets: new Set() };
    liveElements.refreshClocks.set(spec.id, clock);
  }
  const own = clock;
  for (const w of [...own.widgets]) if (!w.root.isConnected) own.widgets.delete(w);
  own.widgets.add({ root, show: (choice) => (picker.value = choice) });
  if (!shown) {
    const initial = str(spec.props.interval);
    setRefreshChoice(spec.id, own, initial, secondsOf(initial));
  }
  picker.value = own.choice;
  picker.addEventListener("change", () => setRefreshChoice(spec.id, own, picker.value, secondsOf(picker.value)));
  control.addEventListener("click", () => {
    error.hidden = true;
    sendRefresh(spec.id, own.choice);
  });
  return widget;
}
