// The page's live UI state, all of it in one object. It is shared because one
// element (one id, one value in Python) may be drawn many times on the page, in
// several cells' outputs, inside layouts or in markdown, each drawing made by a
// separate render call: moving one widget must update its twins, a refusal from
// the kernel must reach every widget of the element, and a refresh element must
// run one timer however often it is shown. No other module under widgets/ keeps
// state from one call to the next.

import { onKernelIdle } from "../kernel_activity";
import type { Widget } from "./types";

// A refresh element's timer: one per element id, however many outputs show the
// element, so a notebook showing it twice is not refreshed twice as often.
export interface RefreshClock {
  /** The chosen interval's label, or "off". */
  choice: string;
  timer: number | null;
  widgets: Set<{ root: HTMLElement; show(choice: string): void }>;
}

class LiveElements {
  /** How set_ui_value reaches the kernel (notebook_view.ts sets it through setUiSender). */
  sender: ((id: string, value: unknown) => void) | null = null;
  /** The widgets drawn for each element id that send to the kernel (not those inside a form). */
  readonly widgets = new Map<string, Set<Widget>>();
  /** Each refresh element's timer, by id (refresh.ts). */
  readonly refreshClocks = new Map<string, RefreshClock>();
  // Refresh elements that sent a tick the kernel has not finished yet: their next
  // ticks are skipped rather than queued behind the run (kernel_activity.ts).
  readonly refreshesPending = new Set<string>();
  private domIds = 0;

  /** A DOM id unique in the page (labels, tab panels and radio groups refer to ids). */
  domId(prefix: string): string {
    this.domIds += 1;
    return `pg-ui-${prefix}-${this.domIds}`;
  }
}

export const liveElements = new LiveElements();

// The queue is empty: every tick sent before has run (or was refused).
onKernelIdle(() => liveElements.refreshesPending.clear());
