// The box where the user answers a running cell's input() (the protocol's
// `input_request`). It sits at the end of the cell's stdout, after the prompt
// the cell printed, like the cursor of a terminal: Enter sends the line, Ctrl-D
// on an empty box ends the input (EOFError in the cell). The kernel echoes the
// line into stdout, so the box only has to disappear once it has answered.

import { REPLY_MAX_CHARS } from "../kernel/sync_buffer";

export interface InputBoxOptions {
  prompt: string;
  password: boolean;
  /** The cell in a phrase (`cell 'base'`, `cell 3`: cells/labels.ts), for the box's name. */
  cellName: string;
  /** The line typed (without a newline), or null for end of input. */
  answer(line: string | null): void;
}

export function inputBox({ prompt, password, cellName, answer }: InputBoxOptions): HTMLInputElement {
  const box = document.createElement("input");
  box.type = password ? "password" : "text";
  box.className = "cell-input";
  box.dataset.testid = "cell-input";
  box.autocomplete = password ? "current-password" : "off";
  box.spellcheck = false;
  box.maxLength = REPLY_MAX_CHARS;
  box.setAttribute("aria-label", prompt.trim() || `input for ${cellName}`);
  box.title = "Enter sends the line; Ctrl-D on an empty line ends the input";
  // styles.css belongs to the page's look; these only keep the box a line of the stream.
  Object.assign(box.style, { font: "inherit", minWidth: "16ch", width: "40%", margin: "0", padding: "0 4px" });
  let answered = false;
  const send = (line: string | null) => {
    if (answered) return;
    answered = true;
    box.remove();
    answer(line);
  };
  box.addEventListener("keydown", (event) => {
    if (event.key === "Enter" && !event.isComposing) {
      event.preventDefault();
      send(box.value);
    } else if (event.key.toLowerCase() === "d" && event.ctrlKey && box.value === "") {
      event.preventDefault();
      send(null);
    }
  });
  return box;
}
