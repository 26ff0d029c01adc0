// A shared or public notebook (/s/<token>, /n/<id>): the framed playground shows
// it in the app view and runs it in the visitor's browser. "Show code" (when the
// owner allows it) reloads the frame in edit mode: edits there are not saved.
// Visitors without an account fork into the playground's browser drafts.
// The notebook's folder shows in the files panel (list and Download) and is
// Python's working directory; what Python writes there stays in this browser.

import LZString from "lz-string";
import type { HostConfig } from "./config";
import { FilesPanel } from "./files_panel";
import { FolderApi } from "./folder_api";
import { PlaygroundFrame } from "./frame";

export function mountViewer(config: HostConfig, iframe: HTMLIFrameElement): void {
  let files: FilesPanel | null = null;
  const frame = new PlaygroundFrame(iframe, config.frameOrigin, { source: config.notebook.content, title: config.notebook.title }, {
    filesWritten: (written, removed) => files?.filesWritten(written, removed),
  });
  const filesElement = document.querySelector<HTMLElement>("#files-panel");
  const folderUrl = viewerFolderUrl(config);
  if (filesElement && folderUrl) {
    files = new FilesPanel({ element: filesElement, api: new FolderApi(folderUrl, config.csrfToken), frame, writable: false });
    frame.waitForFolder(files.load());
  }
  const toggle = document.querySelector<HTMLButtonElement>("#toggle-code");
  const readUrl = config.frameUrl;
  const codeUrl = readUrl.replace(/&mode=read/, "");
  toggle?.addEventListener("click", () => {
    const showing = toggle.getAttribute("aria-pressed") === "true";
    toggle.setAttribute("aria-pressed", String(!showing));
    toggle.textContent = showing ? "Show code" : "Hide code";
    frame.navigate(showing ? readUrl : codeUrl);
  });
  const fork = document.querySelector<HTMLAnchorElement>("#fork-to-drafts");
  if (fork) {
    const playUrl = new URL("/play", config.frameOrigin);
    playUrl.searchParams.set("fork", "1");
    fork.href = `${playUrl.href}#code/${LZString.compressToEncodedURIComponent(config.notebook.content)}`;
  }
}

/**
 * A share link's page (/s/<token>) reads the folder through the link; /n/<id>
 * through the notebook, signed in or not (a public or unlisted notebook's folder is
 * anyone's to read, as its text is: docs/folders.md).
 */
function viewerFolderUrl(config: HostConfig): string | null {
  const shared = /^\/s\/([^/]+)/.exec(location.pathname);
  if (shared) return `/api/shared/${shared[1]}/files`;
  return `/api/notebooks/${config.notebook.id}/files`;
}
