// A shared or public notebook (/s/<token>, /n/<id>): the framed playground shows
// it in the app view and runs it in the visitor's browser. "Show code" (when the
// owner allows it) reloads the frame in edit mode: edits there are not saved.
// Visitors without an account fork into the playground's browser drafts.

import LZString from "lz-string";
import type { HostConfig } from "./config";
import { PlaygroundFrame } from "./frame";

export function mountViewer(config: HostConfig, iframe: HTMLIFrameElement): void {
  const frame = new PlaygroundFrame(iframe, config.frameOrigin, { source: config.notebook.content, title: config.notebook.title }, {});
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
