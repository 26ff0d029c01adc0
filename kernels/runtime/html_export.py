"""Static HTML export: one self-contained page with every cell's output.

Notebook output is untrusted: HTML, SVG and markdown are rendered inside
sandboxed iframes without ``allow-same-origin`` (an opaque origin: no access
to the page, its storage or cookies). A few lines of our own script size the
frames from the heights they report. Text, streams and errors are escaped.
"""

from __future__ import annotations

import html
import json
from typing import Any

from kernels.runtime.notebook import Notebook
from kernels.runtime.script import NotebookRun

_FRAME_SIZER = """
<script>
window.addEventListener("message", (event) => {
  const data = event.data;
  if (!data || data.playgroundFrameHeight === undefined) return;
  for (const frame of document.querySelectorAll("iframe.output-frame")) {
    if (frame.contentWindow === event.source) {
      frame.style.height = Math.min(Math.max(data.playgroundFrameHeight, 20), 5000) + "px";
    }
  }
});
</script>
"""

# Runs inside each sandboxed frame: reports the content height to the page.
_FRAME_REPORTER = (
    "<script>(function(){function r(){parent.postMessage({playgroundFrameHeight:"
    "document.documentElement.scrollHeight},'*');}addEventListener('load',r);"
    "new ResizeObserver(r).observe(document.documentElement);r();})();</script>"
)

_STYLE = """
body { font-family: system-ui, sans-serif; max-width: 960px; margin: 2rem auto; padding: 0 1rem;
       color: #1f2328; }
.cell { margin: 1rem 0; }
pre { background: #f6f8fa; padding: .75rem; overflow-x: auto; border-radius: 6px;
      margin: .25rem 0; }
pre.stderr { background: #fff8e6; }
pre.error { background: #ffebe9; color: #82071e; }
iframe.output-frame { width: 100%; border: 0; height: 40px; display: block; }
img.output { max-width: 100%; }
.cell-name { color: #656d76; font-size: .75rem; }
"""

_FRAME_STYLE = (
    "<style>body{font-family:system-ui,sans-serif;margin:0;padding:2px;color:#1f2328}"
    "img,svg{max-width:100%}</style>"
)


def _markdown_to_html(text: str) -> str:
    try:
        import markdown  # optional: present on the server, not needed in the browser
    except ImportError:
        return f"<pre>{html.escape(text)}</pre>"
    return markdown.markdown(text, extensions=["fenced_code", "tables"])


def _frame(inner_html: str) -> str:
    document = f"<!doctype html><meta charset='utf-8'>{_FRAME_STYLE}{inner_html}{_FRAME_REPORTER}"
    return (
        '<iframe class="output-frame" sandbox="allow-scripts allow-popups" '
        f'referrerpolicy="no-referrer" srcdoc="{html.escape(document, quote=True)}"></iframe>'
    )


def render_output(data: dict[str, Any]) -> str:
    """HTML for one mimebundle, richest type first."""
    if "text/html" in data:
        return _frame(str(data["text/html"]))
    if "image/svg+xml" in data:
        return _frame(str(data["image/svg+xml"]))
    for mime in ("image/png", "image/jpeg"):
        if mime in data:
            return f'<img class="output" alt="output" src="data:{mime};base64,{data[mime]}">'
    if "text/markdown" in data:
        return _frame(_markdown_to_html(str(data["text/markdown"])))
    if "application/json" in data:
        return f"<pre>{html.escape(json.dumps(data['application/json'], indent=2))}</pre>"
    if "text/plain" in data:
        return f"<pre>{html.escape(str(data['text/plain']))}</pre>"
    return ""


def render_page(notebook: Notebook, run: NotebookRun, *, title: str, show_code: bool) -> str:
    """The exported page. ``show_code`` False hides all code; hide_code cells never show it."""
    parts = []
    for index, cell in enumerate(notebook.cells):
        cell_id = run.cell_ids[index]
        pieces = []
        if cell.kind == "markdown":
            pieces.append(_frame(_markdown_to_html(cell.code)))
        else:
            if show_code and not cell.config.hide_code and cell.code.strip():
                pieces.append(f'<pre class="code"><code>{html.escape(cell.code)}</code></pre>')
            for name, text in _merged_streams(run.streams.get(cell_id, [])):
                pieces.append(f'<pre class="{name}">{html.escape(text)}</pre>')
            if cell_id in run.outputs:
                pieces.append(render_output(run.outputs[cell_id]))
            error = run.errors.get(cell_id)
            if error is not None:
                text = error.traceback or error.message
                pieces.append(f'<pre class="error">{html.escape(text)}</pre>')
        if pieces:
            label = html.escape(cell_id)
            parts.append(f'<section class="cell" id="cell-{label}">{"".join(pieces)}</section>')
    return (
        "<!doctype html>\n<html lang=\"en\">\n<head>\n<meta charset=\"utf-8\">\n"
        '<meta name="viewport" content="width=device-width, initial-scale=1">\n'
        '<meta name="referrer" content="no-referrer">\n'
        f"<title>{html.escape(title)}</title>\n<style>{_STYLE}</style>\n</head>\n<body>\n"
        + "\n".join(parts)
        + f"\n{_FRAME_SIZER}</body>\n</html>\n"
    )


def _merged_streams(chunks: list[tuple[str, str]]) -> list[tuple[str, str]]:
    merged: list[tuple[str, str]] = []
    for name, text in chunks:
        if merged and merged[-1][0] == name:
            merged[-1] = (name, merged[-1][1] + text)
        else:
            merged.append((name, text))
    return merged
