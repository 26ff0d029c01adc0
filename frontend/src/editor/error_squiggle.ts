// A wavy underline where a syntax error is, in one cell's editor. The cell
// view sets it from a cell_error's `line` and `column` (1-based, column in
// characters: docs/protocol.md) with the `showErrorAt` effect; any edit of
// the text clears it, and so does the effect with null (the cell ran).

import { type Extension, StateEffect, StateField, type Text } from "@codemirror/state";
import { Decoration, type DecorationSet, EditorView } from "@codemirror/view";

export interface ErrorPosition {
  /** 1-based line of the cell. */
  line: number;
  /** 1-based column in characters (code points); null: the whole line. */
  column: number | null;
  message: string;
}

/** Underline the error at this position, or (null) remove the underline. */
export const showErrorAt = StateEffect.define<ErrorPosition | null>();

const WORD = /[\p{L}\p{N}_]/u;

/** The range to underline: from the column to the end of its token (a word, else one character). */
export function squiggleRange(doc: Text, at: ErrorPosition): { from: number; to: number } | null {
  if (at.line < 1 || at.line > doc.lines) return null;
  const line = doc.line(at.line);
  const text = line.text;
  if (at.column === null) {
    const start = text.length - text.trimStart().length;
    return start < text.length ? { from: line.from + start, to: line.to } : null;
  }
  // Columns count code points; CodeMirror offsets count UTF-16 units.
  const chars = Array.from(text);
  let index = Math.max(0, at.column - 1);
  if (index >= chars.length) {
    // Past the end (e.g. the line ends too early): the last character.
    if (chars.length === 0) return null;
    index = chars.length - 1;
  }
  let end = index + 1;
  if (WORD.test(chars[index])) while (end < chars.length && WORD.test(chars[end])) end++;
  const offset = (count: number) => chars.slice(0, count).join("").length;
  return { from: line.from + offset(index), to: line.from + offset(end) };
}

const errorMarks = StateField.define<DecorationSet>({
  create: () => Decoration.none,
  update(marks, transaction) {
    // The underline is about the code that ran; once the text changes it may point anywhere.
    let next = transaction.docChanged ? Decoration.none : marks;
    for (const effect of transaction.effects) {
      if (!effect.is(showErrorAt)) continue;
      const range = effect.value && squiggleRange(transaction.state.doc, effect.value);
      next =
        range && effect.value
          ? Decoration.set(Decoration.mark({ class: "cm-error-squiggle", attributes: { title: effect.value.message } }).range(range.from, range.to))
          : Decoration.none;
    }
    return next;
  },
  provide: (field) => EditorView.decorations.from(field),
});

export function errorSquiggle(): Extension {
  return errorMarks;
}
