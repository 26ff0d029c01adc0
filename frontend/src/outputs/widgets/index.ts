// Live UI elements (docs/ui.md, "Wire format"): the spec carried by an
// `application/vnd.playground.ui+json` bundle becomes native, accessible controls
// in the page itself. Everything is built from data with createElement/textContent;
// no spec string ever reaches innerHTML (the one exception, `markdown`, goes
// through the same DOMPurify path as markdown cells, markdown.ts). Interacting
// sends `set_ui_value`; widgets showing the same element (same id) in several
// outputs are kept in sync locally. Two kinds do more than draw: `refresh` runs a
// timer in the page, and `mermaid` loads mermaid.js (mermaid.ts) when the first
// diagram appears.
//
// This is what the rest of the app imports: mimebundle.ts draws elements,
// notebook_view.ts connects them to the kernel. The modules beside it:
//   types.ts            the spec, widget, sink and Children types; UI_MIME
//   state.ts            the page's shared state (widgets by id, refresh timers)
//   sending.ts          set_ui_value, keeping twins in sync, showing a refusal
//   dom.ts              element shell, labels, reading untrusted spec values
//   build.ts            kind -> family module; renderUiElement
//   inputs.ts           slider, range slider, number, text, checkbox, switch, date, buttons
//   file_upload.ts      file input
//   choices.ts          dropdown, radio, multiselect
//   tables.ts           table (and the column/sort/pager parts dataframe.ts shares)
//   dataframe.ts        dataframe transform editor
//   groups.ts           array, dictionary, form
//   layout.ts           stacks, tabs, accordion
//   markdown_text.ts    markdown/HTML with embedded elements, batch
//   display.ts          image, progress
//   refresh.ts          refresh button and its timer
//   mermaid_diagram.ts  mermaid diagrams (mermaid.js loaded on first use)

export { renderUiElement } from "./build";
export { setUiSender, uiValueRefused } from "./sending";
export { UI_MIME, type UiSpec } from "./types";
