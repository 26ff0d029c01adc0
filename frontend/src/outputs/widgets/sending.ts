// How widgets reach the kernel and each other. A change is sent as set_ui_value at
// once (through the sender notebook_view.ts installs) and shown by every other
// widget of the same element on the page; a protocol_error refusing a value is
// shown next to that element's widgets, which go back to their spec's value.

import { liveElements } from "./state";
import type { Sink, Widget } from "./types";

/** notebook_view.ts: how set_ui_value reaches the kernel. */
export function setUiSender(send: (id: string, value: unknown) => void): void {
  liveElements.sender = send;
}

/** Changes of a widget outside any form: straight to the kernel. */
export const kernelSink: Sink = {
  local: false,
  send(id, value) {
    liveElements.sender?.(id, value);
  },
};

/** Remember a kernel-bound widget under its element's id, for its twins and for refusals. */
export function register(widget: Widget): void {
  const live = liveElements.widgets;
  let set = live.get(widget.spec.id);
  if (!set) live.set(widget.spec.id, (set = new Set()));
  set.add(widget);
}

/** The widget changed by the user: send, clear its error, update its twins. */
export function changed(widget: Widget, sink: Sink, value: unknown, sync = true): void {
  widget.error.hidden = true;
  sink.send(widget.spec.id, value);
  if (sink.local || !sync) return;
  const twins = liveElements.widgets.get(widget.spec.id);
  if (!twins) return;
  for (const other of [...twins]) {
    if (other === widget) continue;
    if (!other.root.isConnected) twins.delete(other);
    else other.set(value);
  }
}

/** A protocol_error for set_ui_value: show it next to the refused element's widgets, and restore them. */
export function uiValueRefused(message: string, objectId: string | null): void {
  if (objectId === null) return;
  liveElements.refreshesPending.delete(objectId);
  for (const widget of liveElements.widgets.get(objectId) ?? []) {
    if (!widget.root.isConnected) continue;
    widget.error.textContent = message;
    widget.error.hidden = false;
    widget.set(widget.spec.value);
  }
}
