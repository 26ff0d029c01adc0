// What a first visit opens when the page config has no starter (the server's
// notebooks/starter.py is the starter; this is the fallback): one empty cell.

import type { NotebookFile } from "./kernel/messages";

export const EMPTY_NOTEBOOK: NotebookFile = {
  header: null,
  cells: [{ name: "start", kind: "code", config: { disabled: false, hide_code: false }, code: "" }],
};
