// Completions for code cells: names the notebook defines (the union of every
// cell's `defs` from cell_analysis events), Python keywords and builtins, and
// the cell's own local names (lang-python's local source), one source so each
// name is listed once.

import type { CompletionContext, CompletionResult, CompletionSource, Completion } from "@codemirror/autocomplete";
import { localCompletionSource } from "@codemirror/lang-python";

const KEYWORDS = (
  "False None True and as assert async await break case class continue def del elif else except " +
  "finally for from global if import in is lambda match nonlocal not or pass raise return try type " +
  "while with yield"
).split(" ");

const BUILTINS = (
  "abs aiter all anext any ascii bin bool breakpoint bytearray bytes callable chr classmethod compile " +
  "complex delattr dict dir divmod enumerate eval exec filter float format frozenset getattr globals " +
  "hasattr hash help hex id input int isinstance issubclass iter len list locals map max memoryview min " +
  "next object oct open ord pow print property range repr reversed round set setattr slice sorted " +
  "staticmethod str sum super tuple type vars zip __import__ ArithmeticError AssertionError " +
  "AttributeError BaseException BaseExceptionGroup Exception ExceptionGroup FileNotFoundError " +
  "ImportError IndexError KeyError KeyboardInterrupt LookupError ModuleNotFoundError NameError " +
  "NotImplementedError OSError RuntimeError StopIteration SyntaxError TypeError ValueError " +
  "ZeroDivisionError NotImplemented Ellipsis"
).split(" ");

const STATIC: Completion[] = [
  ...KEYWORDS.map((label) => ({ label, type: "keyword" })),
  ...BUILTINS.map((label) => ({ label, type: /^[A-Z]/.test(label) ? "class" : "function" })),
];

/** A completion source offering `notebookNames()` (read at each completion) and Python's own names. */
export function notebookCompletions(notebookNames: () => Iterable<string>): CompletionSource[] {
  const names = async (context: CompletionContext): Promise<CompletionResult | null> => {
    const word = context.matchBefore(/[A-Za-z_][A-Za-z0-9_]*/);
    if (word === null || (word.from === word.to && !context.explicit)) return null;
    // After a dot it is an attribute: notebook names would be wrong there.
    if (word.from > 0 && context.state.sliceDoc(word.from - 1, word.from) === ".") return null;
    const seen = new Set<string>();
    const options: Completion[] = [];
    const add = (option: Completion) => {
      if (seen.has(option.label)) return;
      seen.add(option.label);
      options.push(option);
    };
    for (const label of notebookNames()) add({ label, type: "variable", boost: 1 });
    const local = await localCompletionSource(context);
    for (const option of local?.options ?? []) add(option);
    for (const option of STATIC) add(option);
    return { from: word.from, options, validFor: /^[A-Za-z0-9_]*$/ };
  };
  return [names];
}
