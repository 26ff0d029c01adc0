// What people call a cell: the names it defines (`base`, `x, y`, `a, b, c +4`),
// a markdown cell's first heading, or its position (`cell 3`). Ids (`zEsS`) are
// for the protocol and tests only. The kernel words its messages with the same
// labels: kernels/runtime/notebook.py `cell_labels` is this rule in Python, and
// docs/protocol.md ("Cell labels") states it; change all three together.

import type { CellKind } from "../kernel/messages";

/** How many defined names a label lists before "+N". */
const LABEL_NAMES = 3;
/** The longest markdown heading a label shows, in characters ("…" included). */
const LABEL_HEADING_CHARS = 40;

const LINE_BREAK = /\r\n|\r|\n/;
const FENCE = /^ {0,3}(?:```|~~~)/;
const HEADING = /^ {0,3}#{1,6}(?:[ \t]+(.*?))?[ \t]*$/;
const CLOSING_HASHES = /(?:^|[ \t]+)#+$/;
const POSITION_LABEL = /^cell \d+$/;

export interface LabelSource {
  kind: CellKind;
  code: string;
  /** The cell's defs from cell_analysis (sorted by the kernel); null before it arrives. */
  defs: readonly string[] | null;
}

function namesLabel(defs: readonly string[]): string | null {
  const names = defs.filter((name) => !name.startsWith("_"));
  if (names.length === 0) return null;
  const shown = names.slice(0, LABEL_NAMES).join(", ");
  const more = names.length - LABEL_NAMES;
  return more > 0 ? `${shown} +${more}` : shown;
}

function headingLabel(markdown: string): string | null {
  let fenced = false;
  for (const line of markdown.split(LINE_BREAK)) {
    if (FENCE.test(line)) {
      fenced = !fenced;
      continue;
    }
    const match = fenced ? null : HEADING.exec(line);
    if (!match) continue;
    const text = (match[1] ?? "").replace(CLOSING_HASHES, "").replace(/^[ \t]+|[ \t]+$/g, "");
    if (!text || POSITION_LABEL.test(text)) continue;
    // Characters are code points, as Python counts them.
    const chars = Array.from(text);
    return chars.length > LABEL_HEADING_CHARS ? chars.slice(0, LABEL_HEADING_CHARS - 1).join("") + "…" : text;
  }
  return null;
}

/** The label of each cell, in notebook order; a label two cells would share becomes each one's position. */
export function cellLabels(cells: readonly LabelSource[]): string[] {
  const preferred = cells.map((cell) => (cell.kind === "markdown" ? headingLabel(cell.code) : namesLabel(cell.defs ?? [])));
  const counts = new Map<string, number>();
  for (const label of preferred) if (label !== null) counts.set(label, (counts.get(label) ?? 0) + 1);
  return preferred.map((label, index) => (label !== null && counts.get(label) === 1 ? label : `cell ${index + 1}`));
}

/** Cells by their labels in a sentence: `cell 'base'`, `cell 3`, `cells 'x, y' and 3`. */
export function cellReference(labels: readonly string[]): string {
  const one = (label: string, prefix: string) => (POSITION_LABEL.test(label) ? (prefix ? label : label.slice("cell ".length)) : `${prefix}'${label}'`);
  if (labels.length === 1) return one(labels[0], "cell ");
  const items = labels.map((label) => one(label, ""));
  const joined = items.length <= 2 ? items.join(" and ") : `${items.slice(0, -1).join(", ")} and ${items[items.length - 1]}`;
  return `cells ${joined}`;
}
