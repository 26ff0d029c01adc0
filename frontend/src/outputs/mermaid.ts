// Mermaid diagrams (`ui.mermaid`, marimo's `mo.mermaid`) drawn to SVG by mermaid.js.
//
// This module is imported dynamically by widgets/mermaid_diagram.ts when the first diagram is shown,
// so mermaid (a few MB with its diagram types, themselves split into chunks loaded
// per diagram type) never weighs on start-up or on notebooks without diagrams.
//
// The diagram text is untrusted. Three layers keep it from running script:
// - securityLevel "strict": mermaid encodes HTML in labels, drops click handlers and
//   `javascript:` links, and passes the SVG it makes through DOMPurify; a diagram's
//   own `%%{init}%%` directive or front matter cannot lower it (mermaid ignores
//   `securityLevel` there);
// - mermaid lays the diagram out in this page (it measures text in a hidden element),
//   whose Content-Security-Policy runs no inline script or event handler;
// - the SVG is shown in a sandboxed output frame (frame.ts), like any HTML output.

import mermaid from "mermaid";

let initialized = false;
let renders = 0;

/** The SVG markup of `diagram`, or a rejection with mermaid's message (a syntax error, say). */
export async function mermaidToSvg(diagram: string): Promise<string> {
  if (!initialized) {
    mermaid.initialize({
      startOnLoad: false,
      securityLevel: "strict",
      // Throw instead of drawing mermaid's "syntax error" bomb picture: the caller shows the source.
      suppressErrorRendering: true,
      theme: "default",
    });
    initialized = true;
  }
  renders += 1;
  const { svg } = await mermaid.render(`pg-mermaid-${renders}`, diagram);
  return svg;
}
