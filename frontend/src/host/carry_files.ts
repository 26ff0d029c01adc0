// "Save to account" carries a /play draft's files (docs/folders.md, "Files in
// /play"). They are in the playground site's IndexedDB, which the app's page
// cannot read, and both sites' pages are isolated (COOP same-origin), so no
// window.open link joins the /play tab and the app's page. So the app's page,
// when its Save is clicked, opens a small pop-up on the playground's site
// (`/play/carry-files`, not isolated; the app's page is
// `same-origin-allow-popups`), which reads the draft's files and posts them to
// its opener:
//
//   pop-up → app   {type: "playground:carry-ready"}   every 300 ms until asked
//   app → pop-up   {type: "playground:carry-request", draft}
//   pop-up → app   {type: "playground:carry-files", files: [{path, data}], missing: [path]}
//
// The pop-up posts only to its opener and only to the app's origin, and answers
// only a request from there; the app's page takes messages only from the pop-up
// it opened, from the playground's origin, and closes it once answered.

import { draftFilesWithBytes } from "../storage/draft_files";

export interface CarriedFiles {
  files: { path: string; data: ArrayBuffer }[];
  /** Files the draft names whose bytes this browser no longer holds. */
  missing: string[];
}

const READY_EVERY_MS = 300;
/** Reading a large draft from IndexedDB takes a while; a pop-up that never answers does not hold the save. */
const ANSWER_TIMEOUT_MS = 30_000;

function isRequest(data: unknown): data is { type: "playground:carry-request"; draft: string } {
  return typeof data === "object" && data !== null && (data as { type?: unknown }).type === "playground:carry-request" && typeof (data as { draft?: unknown }).draft === "string";
}

function isCarried(data: unknown): data is { type: "playground:carry-files" } & CarriedFiles {
  if (typeof data !== "object" || data === null || (data as { type?: unknown }).type !== "playground:carry-files") return false;
  const { files, missing } = data as { files?: unknown; missing?: unknown };
  return (
    Array.isArray(files) &&
    files.every((file) => typeof file === "object" && file !== null && typeof (file as { path?: unknown }).path === "string" && (file as { data?: unknown }).data instanceof ArrayBuffer) &&
    Array.isArray(missing) &&
    missing.every((path) => typeof path === "string")
  );
}

/** The pop-up's side (user-content site): answer its opener on the app's origin, then close. */
export function mountCarryFiles(appOrigin: string): void {
  const status = document.getElementById("carry-status");
  const opener = window.opener as Window | null;
  if (!opener) {
    if (status) status.textContent = "This page only works when the app's Save to account opens it. You can close it.";
    return;
  }
  const ready = window.setInterval(() => opener.postMessage({ type: "playground:carry-ready" }, appOrigin), READY_EVERY_MS);
  opener.postMessage({ type: "playground:carry-ready" }, appOrigin);
  window.addEventListener("message", (event: MessageEvent) => {
    if (event.origin !== appOrigin || event.source !== opener || !isRequest(event.data)) return;
    window.clearInterval(ready);
    void draftFilesWithBytes(event.data.draft).then(
      (carried) => {
        opener.postMessage({ type: "playground:carry-files", ...carried }, appOrigin, carried.files.map((file) => file.data));
        // The app's page closes this window once it has them (closing here could beat the message).
        if (status) status.textContent = "The files were sent. You can close this window.";
      },
      (error: unknown) => {
        // The app's page hears nothing and saves without the files, saying so.
        if (status) status.textContent = `The files could not be read: ${error instanceof Error ? error.message : String(error)}`;
      },
    );
  });
}

/**
 * The app's side: open the pop-up (call this in the click's handler: browsers
 * only allow pop-ups there) and get the draft's files, or null when they could
 * not be had (pop-up blocked or closed, no answer).
 */
export function receiveDraftFiles(carryUrl: string, usercontentOrigin: string, draft: string): Promise<CarriedFiles | null> {
  const popup = window.open(carryUrl, "playground-carry-files", "popup,width=480,height=200");
  if (!popup) return Promise.resolve(null);
  return new Promise((resolve) => {
    let asked = false;
    const finish = (result: CarriedFiles | null) => {
      popup.close();
      window.removeEventListener("message", listen);
      window.clearTimeout(timeout);
      window.clearInterval(watch);
      resolve(result);
    };
    const listen = (event: MessageEvent) => {
      if (event.origin !== usercontentOrigin || event.source !== popup) return;
      const data: unknown = event.data;
      if (typeof data === "object" && data !== null && (data as { type?: unknown }).type === "playground:carry-ready") {
        if (!asked) popup.postMessage({ type: "playground:carry-request", draft }, usercontentOrigin);
        asked = true;
      } else if (isCarried(data)) {
        finish({ files: data.files, missing: data.missing });
      }
    };
    window.addEventListener("message", listen);
    const timeout = window.setTimeout(() => finish(null), ANSWER_TIMEOUT_MS);
    // A pop-up closed before it answered (by the person, or on an error) gives nothing.
    const watch = window.setInterval(() => {
      if (popup.closed) finish(null);
    }, 500);
  });
}
