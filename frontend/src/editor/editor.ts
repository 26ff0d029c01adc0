// A CodeMirror 6 editor for one cell: Python (or markdown) highlighting,
// completion, and the notebook's keys (Shift-Enter and Ctrl/Cmd-Enter run,
// Alt-Enter runs and adds a cell below, Esc leaves for command mode,
// Ctrl/Cmd-S saves). Running closes the completion popup.

import { autocompletion, closeBrackets, closeBracketsKeymap, closeCompletion, completionKeymap } from "@codemirror/autocomplete";
import { defaultKeymap, history, historyKeymap, indentWithTab } from "@codemirror/commands";
import { python } from "@codemirror/lang-python";
import { bracketMatching, indentOnInput, syntaxHighlighting } from "@codemirror/language";
import { classHighlighter } from "@lezer/highlight";
import { EditorState, Prec } from "@codemirror/state";
import { drawSelection, EditorView, highlightActiveLine, keymap, lineNumbers, placeholder } from "@codemirror/view";
import type { CellKind } from "../kernel/messages";
import { notebookCompletions } from "./completion";
import { findExtension } from "./find";
import { errorSquiggle } from "./error_squiggle";

export interface EditorHooks {
  /** Shift-Enter, Ctrl/Cmd-Enter. */
  run(): void;
  /** Alt-Enter: run, then a new cell below. */
  runAndInsert?(): void;
  /** Esc (when no completion is open): leave the editor for command mode. */
  escape?(): void;
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
  const running = (action: () => void) => (view: EditorView) => {
    closeCompletion(view);
    action();
    return true;
  };
  const notebookKeys = Prec.highest(
    keymap.of([
      { key: "Shift-Enter", run: running(() => hooks.run()) },
      { key: "Mod-Enter", run: running(() => hooks.run()) },
      { key: "Alt-Enter", run: running(() => (hooks.runAndInsert ?? hooks.run)()) },
      { key: "Mod-s", run: () => (hooks.save(), true), preventDefault: true },
    ]),
  );
  // Below the completion keymap: Esc first closes an open popup.
  const escapeKey = Prec.low(keymap.of([{ key: "Escape", run: () => (hooks.escape ? (hooks.escape(), true) : false) }]));
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
        escapeKey,
        findExtension(),
        errorSquiggle(),
        lineNumbers(),
        history(),
        drawSelection(),
        indentOnInput(),
        bracketMatching(),
        closeBrackets(),
        highlightActiveLine(),
        // Classes, not inline colours: markdown.css colours them for light and dark.
        syntaxHighlighting(classHighlighter),
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
