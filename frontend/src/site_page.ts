// A page that is one notebook's own: a static site (`playground export site`, or
// "Publish as static site") or an embed of a saved notebook (/embed/<token>); see
// docs/folders.md. The page config's `site` says so. Such a page shows that notebook,
// never a visitor's draft (it is an `embed` page); may offer its code ("Show code"
// reloads it with ?mode=edit, "Hide code" with ?mode=read); tells a host that does not
// isolate the page what cannot work there; and, in a frame, tells its parent how tall
// it is (pages/static/embed.js sizes the frame from that).

export interface SiteInfo {
  title: string;
  /** The notebook file next to the page (a static site), to download; null: none. */
  notebookUrl: string | null;
  /** A control to show and hide the code. */
  showCode: boolean;
}

export function readSite(raw: unknown): SiteInfo | null {
  if (typeof raw !== "object" || raw === null) return null;
  const site = raw as { title?: unknown; notebookUrl?: unknown; showCode?: unknown };
  return {
    title: typeof site.title === "string" ? site.title : "",
    notebookUrl: typeof site.notebookUrl === "string" ? site.notebookUrl : null,
    // A static site's code is the visitor's to read; an embed's only if its link says so.
    showCode: site.showCode === undefined ? typeof site.notebookUrl === "string" : site.showCode === true,
  };
}

const NOT_ISOLATED =
  "This page's host does not send the cross-origin isolation headers (Cross-Origin-Opener-Policy: same-origin and " +
  "Cross-Origin-Embedder-Policy: require-corp), so the browser gives Python no shared memory: Stop cannot interrupt " +
  "a cell busy computing, and time.sleep() and input() cannot wait. Everything else works.";

/** The controls of a site page, for the toolbar or the app view's bar. */
export function siteControls(site: SiteInfo, readOnly: boolean): HTMLElement[] {
  const controls: HTMLElement[] = [];
  if (site.showCode) {
    const toggle = document.createElement("a");
    toggle.className = "button";
    toggle.dataset.testid = "site-code-toggle";
    const url = new URL(location.href);
    url.searchParams.set("mode", readOnly ? "edit" : "read");
    toggle.href = url.href;
    toggle.textContent = readOnly ? "Show code" : "Hide code";
    controls.push(toggle);
  }
  if (site.notebookUrl) {
    const download = document.createElement("a");
    download.className = "button";
    download.dataset.testid = "site-download";
    download.href = site.notebookUrl;
    download.download = "";
    download.textContent = "Download notebook";
    controls.push(download);
  }
  if (!globalThis.crossOriginIsolated) {
    const note = document.createElement("span");
    note.className = "muted site-note";
    note.dataset.testid = "site-isolation-note";
    note.textContent = "Stop and waits are off on this host";
    note.title = NOT_ISOLATED;
    controls.push(note);
  }
  return controls;
}

/** In a frame: tell the parent this page's height whenever it changes. */
export function reportHeightToParent(): void {
  if (window.parent === window) return;
  let last = -1;
  const send = () => {
    const height = Math.ceil(document.documentElement.getBoundingClientRect().height);
    if (height === last) return;
    last = height;
    // Only a number, to whichever page frames this one: nothing of the notebook.
    window.parent.postMessage({ type: "playground:embed-size", height }, "*");
  };
  new ResizeObserver(send).observe(document.documentElement);
  send();
}
