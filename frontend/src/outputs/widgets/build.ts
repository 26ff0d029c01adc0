// From a spec to its widget: which family module draws each element kind, the
// note for a kind this page does not know, and the registration of kernel-bound
// widgets (sending.ts). Containers get this builder back through Children,
// together with the output renderer the caller passed in, so no module under
// widgets/ imports this one or mimebundle.ts.

import { dropdown, multiselect, radio } from "./choices";
import { dataframe } from "./dataframe";
import { image, progress } from "./display";
import { el, shell, str } from "./dom";
import { fileInput } from "./file_upload";
import { array, dictionary, form } from "./groups";
import { button, checkbox, dateInput, numberInput, rangeSlider, slider, textInput } from "./inputs";
import { accordion, stack, tabs } from "./layout";
import { markdown } from "./markdown_text";
import { mermaidDiagram } from "./mermaid_diagram";
import { refresh } from "./refresh";
import { kernelSink, register } from "./sending";
import { table } from "./tables";
import type { Children, OutputRenderer, Sink, UiSpec, Widget } from "./types";

function build(spec: UiSpec, sink: Sink, children: Children): Widget {
  const s: UiSpec = {
    id: str(spec.id),
    kind: str(spec.kind),
    label: str(spec.label),
    value: spec.value ?? null,
    props: spec.props && typeof spec.props === "object" ? spec.props : {},
  };
  let widget: Widget;
  switch (s.kind) {
    case "slider": widget = slider(s, sink); break;
    case "range_slider": widget = rangeSlider(s, sink); break;
    case "number": widget = numberInput(s, sink); break;
    case "text": widget = textInput(s, sink, false); break;
    case "text_area": widget = textInput(s, sink, true); break;
    case "checkbox": widget = checkbox(s, sink, false); break;
    case "switch": widget = checkbox(s, sink, true); break;
    case "dropdown": widget = dropdown(s, sink); break;
    case "radio": widget = radio(s, sink); break;
    case "multiselect": widget = multiselect(s, sink); break;
    case "date": widget = dateInput(s, sink); break;
    case "file": widget = fileInput(s, sink); break;
    case "button": widget = button(s, sink, false); break;
    case "run_button": widget = button(s, sink, true); break;
    case "refresh": widget = refresh(s, sink); break;
    case "table": widget = table(s, sink); break;
    case "dataframe": widget = dataframe(s, sink); break;
    case "array": widget = array(s, sink, children); break;
    case "dictionary": widget = dictionary(s, sink, children); break;
    case "form": widget = form(s, sink, children); break;
    case "hstack":
    case "vstack": widget = stack(s, sink, children); break;
    case "tabs": widget = tabs(s, sink, children); break;
    case "accordion": widget = accordion(s, sink, children); break;
    case "markdown": widget = markdown(s, sink, children); break;
    case "image": widget = image(s); break;
    case "mermaid": widget = mermaidDiagram(s); break;
    case "progress": widget = progress(s); break;
    default: {
      const { root, error } = shell(s);
      root.append(el("span", { class: "ui-note" }, `(${s.kind || "unknown"} elements cannot be shown here)`), error);
      widget = { spec: s, root, error, get: () => s.value, set: () => undefined };
    }
  }
  if (!sink.local) register(widget);
  return widget;
}

/**
 * The live widget for a UI spec (the value of an `application/vnd.playground.ui+json`
 * bundle). `renderOutput` draws the output bundles that layouts hold: mimebundle.ts
 * passes its own renderMimeBundle.
 */
export function renderUiElement(spec: unknown, renderOutput: OutputRenderer): HTMLElement | null {
  if (!spec || typeof spec !== "object") return null;
  const children: Children = { build: (child, sink) => build(child, sink, children), renderOutput };
  return build(spec as UiSpec, kernelSink, children).root;
}
