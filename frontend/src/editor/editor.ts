// A CodeMirror 6 editor for one cell: Python (or markdown) highlighting,
// completion, and the notebook's keys (Shift-Enter runs, Ctrl/Cmd-S saves).

import { autocompletion, closeBrackets, closeBracketsKeymap, completionKeymap } from "@codemirror/autocomplete";
import { defaultKeymap, history, historyKeymap, indentWithTab } from "@codemirror/commands";
import { python } from "@codemirror/lang-python";
import { bracketMatching, defaultHighlightStyle, indentOnInput, syntaxHighlighting } from "@codemirror/language";
import { EditorState, Prec } from "@codemirror/state";
import { drawSelection, EditorView, highlightActiveLine, keymap, lineNumbers, placeholder } from "@codemirror/view";
import type { CellKind } from "../kernel/messages";
import { notebookCompletions } from "./completion";

export interface EditorHooks {
  /** Shift-Enter. */
  run(): void;
  /** Ctrl/Cmd-S. */
  save(): void;
  /** The text changed (every keystroke). */
  change(code: string): void;
  focus?(): void;
  blur?(): void;
  /** Names the notebook defines, for completion. */
  notebookNames(): Iterable<string>;
}

export interface CellEditor {
  readonly view: EditorView;
  getCode(): string;
  setCode(code: string): void;
  focus(): void;
  destroy(): void;
}

export function createEditor(parent: HTMLElement, kind: CellKind, code: string, hooks: EditorHooks): CellEditor {
  const notebookKeys = Prec.highest(
    keymap.of([
      { key: "Shift-Enter", run: () => (hooks.run(), true) },
      { key: "Mod-s", run: () => (hooks.save(), true), preventDefault: true },
    ]),
  );
  const language =
    kind === "code"
      ? [python(), autocompletion({ override: notebookCompletions(hooks.notebookNames), activateOnTyping: true })]
      : [EditorView.lineWrapping];
  const view = new EditorView({
    parent,
    state: EditorState.create({
      doc: code,
      extensions: [
        notebookKeys,
        lineNumbers(),
        history(),
        drawSelection(),
        indentOnInput(),
        bracketMatching(),
        closeBrackets(),
        highlightActiveLine(),
        syntaxHighlighting(defaultHighlightStyle, { fallback: true }),
        placeholder(kind === "code" ? "Python code; Shift-Enter runs it" : "Markdown text"),
        keymap.of([...closeBracketsKeymap, ...defaultKeymap, ...historyKeymap, ...completionKeymap, indentWithTab]),
        language,
        EditorState.tabSize.of(4),
        EditorView.contentAttributes.of({ "aria-label": kind === "code" ? "Python code of the cell" : "Markdown text of the cell" }),
        EditorView.updateListener.of((update) => {
          if (update.docChanged) hooks.change(update.state.doc.toString());
          if (update.focusChanged) (update.view.hasFocus ? hooks.focus : hooks.blur)?.();
        }),
      ],
    }),
  });
  return {
    view,
    getCode: () => view.state.doc.toString(),
    setCode(next: string) {
      if (next !== view.state.doc.toString()) view.dispatch({ changes: { from: 0, to: view.state.doc.length, insert: next } });
    },
    focus: () => view.focus(),
    destroy: () => view.destroy(),
  };
}
