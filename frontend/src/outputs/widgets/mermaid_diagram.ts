// The mermaid element (`ui.mermaid`, marimo's `mo.mermaid`): the diagram's source
// at first, then its SVG drawn by mermaid.js, which is loaded (../mermaid.ts, its
// own chunk) only when the first diagram is shown.

import { outputFrame } from "../frame";
import { el, shell, str } from "./dom";
import type { UiSpec, Widget } from "./types";

// A diagram: its source until mermaid.js (loaded on first use) has drawn it, then the
// SVG in a sandboxed output frame; the source stays, with mermaid's message, if it fails.
export function mermaidDiagram(spec: UiSpec): Widget {
  const { root, error } = shell(spec);
  const diagram = str(spec.props.diagram);
  const source = el("pre", { class: "ui-mermaid-source" }, diagram);
  const note = el("div", { class: "ui-note", role: "status" }, "Drawing the diagram…");
  root.append(source, note, error);
  if (spec.label) {
    root.setAttribute("role", "group");
    root.setAttribute("aria-label", spec.label);
  }
  import("../mermaid")
    .then(({ mermaidToSvg }) => mermaidToSvg(diagram))
    .then(
      (svg) => {
        note.remove();
        source.replaceWith(outputFrame(svg, spec.label || "mermaid diagram"));
      },
      (reason: unknown) => {
        const message = reason instanceof Error ? reason.message : str(reason);
        note.textContent = `The diagram could not be drawn: ${message.trim() || "mermaid failed"}`;
        note.classList.add("ui-mermaid-error");
      },
    );
  return { spec, root, error, get: () => null, set: () => undefined };
}
