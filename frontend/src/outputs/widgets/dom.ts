// The parts every widget is built from, and the reading of spec values. A spec comes
// from notebook code, so it is untrusted: every value is coerced here (str, num,
// strings, childSpecs) before it reaches the page, and text reaches it only through
// textContent or attributes (el). shell() makes each widget's outer element, with
// the data-testid / data-ui-kind / data-ui-id hooks and the hidden error line.

import { liveElements } from "./state";
import type { UiSpec } from "./types";

/** A DOM id unique in the page, for labels, tab panels and radio groups. */
export function uid(prefix: string): string {
  return liveElements.domId(prefix);
}

export function el<K extends keyof HTMLElementTagNameMap>(tag: K, attrs: Record<string, string> = {}, text?: string): HTMLElementTagNameMap[K] {
  const node = document.createElement(tag);
  for (const [k, v] of Object.entries(attrs)) node.setAttribute(k, v);
  if (text !== undefined) node.textContent = text;
  return node;
}

export function num(value: unknown, fallback: number): number {
  return typeof value === "number" && Number.isFinite(value) ? value : fallback;
}

export function str(value: unknown): string {
  return value === null || value === undefined ? "" : String(value);
}

export function strings(value: unknown): string[] {
  return Array.isArray(value) ? value.map(str) : [];
}

export function nameOf(spec: UiSpec): string {
  return spec.label || spec.kind.replace("_", " ");
}

export function shell(spec: UiSpec, tag: "div" | "fieldset" = "div"): { root: HTMLElement; error: HTMLElement } {
  const root = el(tag, { class: `ui-element ui-${spec.kind}`, "data-testid": "ui-element", "data-ui-kind": spec.kind, "data-ui-id": spec.id });
  const error = el("div", { class: "ui-error", role: "alert", hidden: "" });
  return { root, error };
}

export function labelFor(spec: UiSpec, control: HTMLElement): HTMLLabelElement | null {
  if (!control.id) control.id = uid(spec.kind);
  if (!spec.label) {
    control.setAttribute("aria-label", nameOf(spec));
    return null;
  }
  const label = el("label", { class: "ui-label", for: control.id }, spec.label);
  return label;
}

export function legend(spec: UiSpec, root: HTMLElement): void {
  if (spec.label) root.append(el("legend", { class: "ui-label" }, spec.label));
  else root.setAttribute("aria-label", nameOf(spec));
}

export function childSpecs(value: unknown): UiSpec[] {
  return Array.isArray(value) ? (value as UiSpec[]) : [];
}
