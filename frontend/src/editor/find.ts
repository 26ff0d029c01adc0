// Find and replace inside one cell's editor: the matches of the notebook-wide
// query (cells/find_panel.ts) marked in the text, the current one stronger.
// The panel computes matches with `findMatches` and tells each editor what to
// mark with the `showFind` effect; marks follow edits until the next query.

import { type Extension, StateEffect, StateField } from "@codemirror/state";
import { Decoration, type DecorationSet, EditorView } from "@codemirror/view";

export interface FindQuery {
  text: string;
  caseSensitive: boolean;
}

export interface Match {
  from: number;
  to: number;
}

/** Mark these matches (`current`: the index of the one the panel is on, if in this cell). */
export const showFind = StateEffect.define<{ matches: Match[]; current: number | null }>();

const matchMark = Decoration.mark({ class: "cm-find-match" });
const currentMark = Decoration.mark({ class: "cm-find-match cm-find-current" });

const findMarks = StateField.define<DecorationSet>({
  create: () => Decoration.none,
  update(marks, transaction) {
    let next = marks.map(transaction.changes);
    for (const effect of transaction.effects) {
      if (!effect.is(showFind)) continue;
      const { matches, current } = effect.value;
      next = Decoration.set(
        matches.filter((m) => m.to > m.from).map((m, index) => (index === current ? currentMark : matchMark).range(m.from, m.to)),
      );
    }
    return next;
  },
  provide: (field) => EditorView.decorations.from(field),
});

export function findExtension(): Extension {
  return findMarks;
}

/** Where `query` occurs in `text`, left to right, not overlapping. */
export function findMatches(text: string, query: FindQuery): Match[] {
  if (!query.text) return [];
  // A pattern of the literal text: offsets stay those of `text` (lower-casing could change lengths).
  const pattern = new RegExp(query.text.replace(/[.*+?^${}()|[\]\\]/g, "\\$&"), query.caseSensitive ? "g" : "gi");
  const matches: Match[] = [];
  for (const found of text.matchAll(pattern)) {
    const from = found.index ?? 0;
    matches.push({ from, to: from + found[0].length });
  }
  return matches;
}
