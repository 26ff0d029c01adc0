// Untrusted rich output (HTML, SVG, rendered markdown) in a sandboxed frame.
//
// The frame has no allow-same-origin, so the content gets an opaque origin:
// its scripts reach neither this page, its storage nor its cookies. Two ways
// to fill it (docs/frontend-contract.md, "Output frames"):
// - `outputFrameUrl` configured (Django's /play/output-frame, which has a CSP
//   of its own that lets output scripts run): the frame says
//   {type: "output-frame:ready"}, we answer {type: "output-frame:render", html};
// - otherwise a `srcdoc` document (it inherits this page's CSP, so its scripts
//   run only where that policy allows inline scripts).
// Either way the frame reports {type: "output-frame:size", height} and we
// size it; only messages whose source is one of our frames are read.

const MAX_HEIGHT = 4000;
const SANDBOX = "allow-scripts allow-popups allow-popups-to-escape-sandbox";

interface FrameRecord {
  frame: HTMLIFrameElement;
  html: string;
}

const frames = new Map<Window, FrameRecord>();
let frameUrl: string | null = null;
let listening = false;

const BASE_STYLE =
  "<style>html,body{margin:0;padding:0;background:transparent}" +
  'body{font:14px/1.45 system-ui,-apple-system,"Segoe UI",sans-serif;color:#1f2328;overflow-x:auto}' +
  "table{border-collapse:collapse}th,td{border:1px solid #d0d7de;padding:2px 8px;text-align:right}" +
  "th{background:#f6f8fa}img,svg{max-width:100%}pre{white-space:pre-wrap}</style>";

// Runs inside a srcdoc frame; it only posts numbers to the page.
const HEIGHT_REPORTER = `<script>(function(){
  var last=-1;
  function send(){
    var h=Math.ceil(document.documentElement.getBoundingClientRect().height);
    if(h!==last){last=h;parent.postMessage({type:"output-frame:size",height:h},"*");}
  }
  if(window.ResizeObserver){new ResizeObserver(send).observe(document.documentElement);}
  addEventListener("load",send);
  send();
})();</script>`;

/** Use Django's output-frame document (from the page config), or srcdoc frames when null. */
export function configureOutputFrames(url: string | null): void {
  frameUrl = url;
}

function listen(): void {
  if (listening) return;
  listening = true;
  window.addEventListener("message", (event: MessageEvent) => {
    const record = event.source ? frames.get(event.source as Window) : undefined;
    if (record === undefined) return;
    const data = event.data as { type?: unknown; height?: unknown } | null;
    if (data?.type === "output-frame:ready") {
      record.frame.contentWindow?.postMessage({ type: "output-frame:render", html: record.html }, "*");
    } else if (data?.type === "output-frame:size" && typeof data.height === "number" && Number.isFinite(data.height)) {
      record.frame.style.height = `${Math.min(Math.max(Math.ceil(data.height), 16), MAX_HEIGHT)}px`;
    }
  });
}

function register(record: FrameRecord): void {
  const win = record.frame.contentWindow;
  if (win) frames.set(win, record);
}

/** A sandboxed frame showing `html`. Put it in the document in the same task. */
export function outputFrame(html: string, title: string): HTMLIFrameElement {
  listen();
  const frame = document.createElement("iframe");
  frame.className = "output-frame";
  frame.setAttribute("sandbox", SANDBOX);
  frame.setAttribute("title", title);
  frame.style.height = "24px";
  const record: FrameRecord = { frame, html: BASE_STYLE + html };
  if (frameUrl !== null) {
    frame.src = frameUrl;
  } else {
    frame.srcdoc = `<!doctype html><html><head><meta charset="utf-8">${BASE_STYLE}${HEIGHT_REPORTER}</head><body>${html}</body></html>`;
  }
  // contentWindow exists once the frame is attached; the frame's messages come later.
  queueMicrotask(() => register(record));
  frame.addEventListener("load", () => register(record));
  return frame;
}

/** Forget frames that left the document. */
export function forgetDetachedFrames(): void {
  for (const [win, record] of frames) if (!record.frame.isConnected) frames.delete(win);
}
