// What the widget modules share: the wire form of an element's spec (docs/ui.md,
// "Wire format"), the widget a builder returns, where a widget's changes go (Sink),
// and what a container is handed to make its children (Children). Types and one
// constant only, so any module may import it without pulling in behaviour.

import type { MimeBundle } from "../../kernel/messages";

export const UI_MIME = "application/vnd.playground.ui+json";

export interface UiSpec {
  id: string;
  kind: string;
  label: string;
  value: unknown;
  props: Record<string, unknown>;
}

/** Where a widget's changes go: the kernel, or (inside a form) the form's local state. */
export interface Sink {
  local: boolean;
  send(id: string, value: unknown): void;
}

export interface Widget {
  spec: UiSpec;
  root: HTMLElement;
  /** The wire value the widget shows now. */
  get(): unknown;
  /** Show a wire value (from another widget with the same id, or a restore). */
  set(value: unknown): void;
  error: HTMLElement;
}

/** How an output bundle is drawn: mimebundle.ts's renderMimeBundle, handed in by its caller. */
export type OutputRenderer = (bundle: MimeBundle, cellName: string) => HTMLElement | null;

/**
 * What a container makes its children with. build.ts hands it down, so that the
 * family modules import neither build.ts (which imports them) nor mimebundle.ts
 * (which imports this folder): no import circle.
 */
export interface Children {
  /** A nested element's widget (array, dictionary, form, markdown's embeds), sending to `sink`. */
  build(spec: UiSpec, sink: Sink): Widget;
  /** A nested output (a stack's item, a tab's or a section's content), drawn like any cell output. */
  renderOutput: OutputRenderer;
}
