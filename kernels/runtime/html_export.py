"""Static HTML export: one self-contained page with every cell's output.

Notebook output is untrusted: HTML, SVG and markdown are rendered inside
sandboxed iframes without ``allow-same-origin`` (an opaque origin: no access
to the page, its storage or cookies). A few lines of our own script size the
frames from the heights they report. Text, streams and errors are escaped.

Streams are capped as the browser caps them: at most :data:`STREAM_SHOWN_LINES`
lines of each of a cell's stdout and stderr, then one line saying how many
more were not shown (counting what the kernel did not send past its byte cap,
``stream_truncated``).
"""

from __future__ import annotations

import html
import json
from typing import Any

from kernels.runtime import protocol as p
from kernels.runtime.notebook import Notebook
from kernels.runtime.script import NotebookRun

# Lines of each stream of a cell an exported page shows (the page's
# STREAM_SHOWN_LINES, frontend/src/outputs/stream_pane.ts).
STREAM_SHOWN_LINES = 1000

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
p.more { color: #656d76; font-size: .8rem; margin: 0 0 .25rem; }
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
    rendered: str = markdown.markdown(text, extensions=["fenced_code", "tables"])
    return rendered


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
            pieces.extend(_stream_blocks(
                run.streams.get(cell_id, []), run.truncated.get(cell_id, {})
            ))
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


def _line_count(text: str) -> int:
    return text.count("\n") + (0 if not text or text.endswith("\n") else 1)


def _after_lines(text: str, count: int) -> int:
    """The index just after the ``count``-th newline of ``text`` (its length if it has fewer)."""
    position = 0
    for _ in range(count):
        found = text.find("\n", position)
        if found < 0:
            return len(text)
        position = found + 1
    return position


def _size(size: int) -> str:
    return f"{size / (1024 * 1024):.1f} MB" if size >= 1024 * 1024 else f"{size:,} bytes"


def _stream_blocks(
    chunks: list[tuple[str, str]], truncated: dict[str, p.StreamTruncated]
) -> list[str]:
    """A cell's streams in the order written, each capped at STREAM_SHOWN_LINES lines."""
    shown = {"stdout": 0, "stderr": 0}
    hidden = {"stdout": 0, "stderr": 0}
    blocks = []
    for name, text in _merged_streams(chunks):
        room = STREAM_SHOWN_LINES - shown.get(name, 0)
        cut = _after_lines(text, room) if room > 0 else 0
        if cut:
            head = text[:cut]
            shown[name] = shown.get(name, 0) + head.count("\n")
            blocks.append(f'<pre class="{name}">{html.escape(head)}</pre>')
        hidden[name] = hidden.get(name, 0) + _line_count(text[cut:])
    for name in ("stdout", "stderr"):
        dropped = truncated.get(name)
        more = hidden[name] + (dropped.dropped_lines if dropped else 0)
        if not more:
            continue
        note = f"… {more:,} more line{'' if more == 1 else 's'} of {name} not shown"
        if dropped:
            note += (f" ({dropped.dropped_lines:,} of them, {_size(dropped.dropped_bytes)}, "
                     f"past the run's {_size(dropped.limit_bytes)} output limit)")
        blocks.append(f'<p class="more {name}">{html.escape(note, quote=False)}</p>')
    return blocks


def _merged_streams(chunks: list[tuple[str, str]]) -> list[tuple[str, str]]:
    """Adjacent chunks of the same stream joined into one."""
    merged: list[tuple[str, list[str]]] = []
    for name, text in chunks:
        if merged and merged[-1][0] == name:
            merged[-1][1].append(text)
        else:
            merged.append((name, [text]))
    return [(name, "".join(texts)) for name, texts in merged]
