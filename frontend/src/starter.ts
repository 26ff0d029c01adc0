// The notebook a first visit opens: small, and it shows reactivity at once.

import type { NotebookFile } from "./kernel/messages";

const config = { disabled: false, hide_code: false };

export const STARTER_NOTEBOOK: NotebookFile = {
  header: null,
  cells: [
    {
      name: "intro",
      kind: "markdown",
      config,
      code:
        "# Welcome to Playground\n\n" +
        "Python runs right here in your browser. Cells form a dataflow graph: change `n` " +
        "below and press **Shift-Enter**, and every cell that reads `n` runs again.",
    },
    { name: "size", kind: "code", config, code: "n = 10" },
    { name: "squares", kind: "code", config, code: "squares = [i * i for i in range(n)]\nsum(squares)" },
    { name: "report", kind: "code", config, code: 'print(f"{n} squares; the largest is {squares[-1]}")' },
  ],
};
