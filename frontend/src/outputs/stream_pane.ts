// One stream of a cell's output on the page (its stdout or its stderr).
//
// Text from `stream` events is drawn once per animation frame, however many
// events came in between, so a loop of prints costs the page a few appends a
// second instead of one per event. At most STREAM_SHOWN_LINES lines are drawn,
// in a scroll box; the rest is counted below it ("… 999,000 more lines · Show
// all · Download"). Show all draws everything the page holds; Download saves it
// as a .txt. The kernel itself sends at most 2 MB of stream text per run
// (docs/protocol.md, `stream_truncated`): what it dropped is counted in the same
// line, so the count is the cell's whole output.

import "./stream_output.css";

/** Lines of one stream drawn before the rest is folded under "… N more lines". */
export const STREAM_SHOWN_LINES = 1000;

export type StreamName = "stdout" | "stderr";

interface Dropped {
  bytes: number;
  lines: number;
  limit: number;
}

const numberFormat = new Intl.NumberFormat("en-US");

export function formatCount(value: number): string {
  return numberFormat.format(value);
}

export function formatBytes(bytes: number): string {
  if (bytes < 1024) return `${formatCount(bytes)} bytes`;
  if (bytes < 1024 * 1024) return `${(bytes / 1024).toFixed(1)} KB`;
  return `${(bytes / (1024 * 1024)).toFixed(1)} MB`;
}

function plural(count: number, one: string, many: string): string {
  return `${formatCount(count)} ${count === 1 ? one : many}`;
}

/** The index just after the `count`-th newline of `text` (0 for none); -1 when it has fewer. */
function afterNthNewline(text: string, count: number): number {
  let position = 0;
  for (let left = count; left > 0; left--) {
    const found = text.indexOf("\n", position);
    if (found < 0) return -1;
    position = found + 1;
  }
  return position;
}

function countNewlines(text: string): number {
  let count = 0;
  for (let found = text.indexOf("\n"); found >= 0; found = text.indexOf("\n", found + 1)) count++;
  return count;
}

function smallButton(testId: string, label: string, title: string, onClick: () => void): HTMLButtonElement {
  const node = document.createElement("button");
  node.type = "button";
  node.className = "stream-action";
  node.dataset.testid = testId;
  node.textContent = label;
  node.title = title;
  node.addEventListener("click", (event) => {
    event.stopPropagation();
    onClick();
  });
  return node;
}

export class StreamPane {
  /** The stream's text (`cell-stdout` / `cell-stderr`); the input() box sits at its end. */
  readonly element: HTMLPreElement;
  /** "… N more lines · Show all · Download" (`stream-more`), hidden while everything shows. */
  readonly footer: HTMLElement;
  private readonly fileStem: string;
  private readonly count: HTMLElement;
  private readonly showAllButton: HTMLButtonElement;
  private readonly downloadButton: HTMLButtonElement;
  /** Everything received in this run, in order (what Download saves). */
  private received: string[] = [];
  private receivedChars = 0;
  private pending: string[] = [];
  private frame = 0;
  private drawnChars = 0;
  private drawnNewlines = 0;
  private totalNewlines = 0;
  private endsOpen = false;
  /** Lines past STREAM_SHOWN_LINES are held back (until Show all). */
  private folded = false;
  private expanded = false;
  private dropped: Dropped | null = null;
  private input: HTMLElement | null = null;

  constructor(options: { name: StreamName; testId: string; cellName: string }) {
    this.fileStem = `${options.cellName.replace(/[^\w.-]+/g, "_") || "cell"}-${options.name}`;
    this.element = document.createElement("pre");
    this.element.className = `cell-${options.name} stream-pane`;
    this.element.dataset.testid = options.testId;
    this.element.hidden = true;

    this.footer = document.createElement("div");
    this.footer.className = `stream-more stream-more-${options.name}`;
    this.footer.dataset.testid = "stream-more";
    this.footer.dataset.stream = options.name;
    this.footer.hidden = true;
    this.count = document.createElement("span");
    this.count.className = "stream-more-count";
    this.count.dataset.testid = "stream-more-count";
    this.showAllButton = smallButton("stream-show-all", "Show all", `Show all of this ${options.name} the page holds`, () => this.showAll());
    this.downloadButton = smallButton("stream-download", "Download", `Save this ${options.name} as a text file`, () => this.download());
    this.footer.append(this.count, this.showAllButton, this.downloadButton);
  }

  /** Text from a `stream` event; drawn at the next animation frame. */
  append(text: string): void {
    if (!text) return;
    this.received.push(text);
    this.receivedChars += text.length;
    this.pending.push(text);
    this.element.hidden = false;
    if (!this.frame) this.frame = requestAnimationFrame(() => this.drawNow());
  }

  /** Draw what waits now (before something that must come after it, or when the cell ends). */
  drawNow(): void {
    if (this.frame) {
      cancelAnimationFrame(this.frame);
      this.frame = 0;
    }
    if (!this.pending.length) return;
    const text = this.pending.length === 1 ? this.pending[0] : this.pending.join("");
    this.pending = [];
    this.totalNewlines += countNewlines(text);
    this.endsOpen = !text.endsWith("\n");
    if (!this.folded) {
      let shown = text;
      if (!this.expanded) {
        const end = afterNthNewline(text, STREAM_SHOWN_LINES - this.drawnNewlines);
        if (end >= 0 && end < text.length) {
          shown = text.slice(0, end);
          this.folded = true;
        }
      }
      this.draw(shown);
    }
    this.updateFooter();
  }

  /** The box answering input(), after everything printed so far. */
  appendInput(box: HTMLElement): void {
    this.drawNow();
    this.input = box;
    this.element.append(box);
    this.element.hidden = false;
  }

  /** The input() box is answered or no longer wanted. */
  endInput(): void {
    if (!this.input) return;
    this.input.remove();
    this.input = null;
    this.element.hidden = this.received.length === 0;
  }

  /** The kernel's `stream_truncated`: what it did not send of this stream. */
  setDropped(bytes: number, lines: number, limit: number): void {
    this.drawNow();
    this.dropped = bytes > 0 ? { bytes, lines, limit } : null;
    this.updateFooter();
  }

  /** A new run: nothing shown, nothing held. */
  clear(): void {
    if (this.frame) cancelAnimationFrame(this.frame);
    this.frame = 0;
    this.received = [];
    this.receivedChars = 0;
    this.pending = [];
    this.drawnChars = this.drawnNewlines = this.totalNewlines = 0;
    this.endsOpen = this.folded = this.expanded = false;
    this.dropped = null;
    this.input = null;
    this.element.replaceChildren();
    this.element.hidden = true;
    this.updateFooter();
  }

  /** Whether the pane shows anything (text or an input box). */
  get hasContent(): boolean {
    return this.received.length > 0 || this.input !== null;
  }

  /** Draw the lines held back, as far as the page holds them. */
  showAll(): void {
    this.drawNow();
    this.expanded = true;
    if (this.folded) {
      this.folded = false;
      this.draw(this.received.join("").slice(this.drawnChars));
    }
    this.updateFooter();
  }

  private draw(text: string): void {
    if (!text) return;
    const box = this.element;
    const following = box.scrollHeight - box.scrollTop - box.clientHeight < 4;
    box.insertBefore(document.createTextNode(text), this.input?.parentNode === box ? this.input : null);
    this.drawnChars += text.length;
    this.drawnNewlines += countNewlines(text);
    // Keep following the end, as a terminal does, unless the user scrolled up.
    if (following) box.scrollTop = box.scrollHeight;
  }

  private hiddenLines(): number {
    if (this.drawnChars >= this.receivedChars) return 0;
    const total = this.totalNewlines + (this.endsOpen ? 1 : 0);
    return Math.max(0, total - this.drawnNewlines);
  }

  private updateFooter(): void {
    const hidden = this.hiddenLines();
    const dropped = this.dropped;
    const more = hidden + (dropped ? dropped.lines : 0);
    this.footer.hidden = hidden === 0 && dropped === null;
    if (this.footer.hidden) return;
    let text = `… ${plural(more, "more line", "more lines")}`;
    if (dropped) {
      const notSent = `${plural(dropped.lines, "line", "lines")} (${formatBytes(dropped.bytes)})`;
      text += hidden
        ? `, ${notSent} of them not sent: this run passed its ${formatBytes(dropped.limit)} output limit`
        : ` not sent: this run passed its ${formatBytes(dropped.limit)} output limit`;
    }
    this.count.textContent = text;
    this.footer.title = dropped
      ? `Python sends at most ${formatBytes(dropped.limit)} of output per run; the rest was counted, not kept.`
      : `Only the first ${formatCount(STREAM_SHOWN_LINES)} lines are shown.`;
    this.showAllButton.hidden = hidden === 0;
    this.downloadButton.hidden = this.received.length === 0;
  }

  private download(): void {
    this.drawNow();
    const url = URL.createObjectURL(new Blob(this.received, { type: "text/plain;charset=utf-8" }));
    const link = document.createElement("a");
    link.href = url;
    link.download = `${this.fileStem}.txt`;
    link.hidden = true;
    document.body.append(link);
    link.click();
    link.remove();
    // The download has started by then; the URL only keeps the text alive.
    window.setTimeout(() => URL.revokeObjectURL(url), 60_000);
  }
}
