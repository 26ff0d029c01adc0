// "Save to account" in the playground opens /notebooks/save-from-playground with
// the notebook in the fragment (#code/...), which never reaches a server by
// itself. This script puts it in the page's hidden form and sends it; the answer
// says what will be saved (title, cells) and has the Save button. The link is
// never shown. Signed out, the tab keeps the link (sessionStorage) through the
// log-in, which comes back to this page.
//
// `?draft=<id>`: the playground's draft has files. Save then opens the
// playground site's pop-up that hands them over (carry_files.ts), saves the
// notebook asking for a JSON answer, uploads the files into its folder (one
// multipart POST per folder, FolderApi) and opens the editor. Without the files
// (pop-up blocked, draft gone) the notebook is saved anyway and the editor says so.

import { ApiError } from "./api";
import { type CarriedFiles, receiveDraftFiles } from "./carry_files";
import type { HostConfig } from "./config";
import { FolderApi } from "./folder_api";

const KEPT = "playground:save-from-play";
const KEPT_DRAFT = "playground:save-from-play-draft";
/** Files per upload request stay under the service's request limit (twice a file's limit). */
const UPLOAD_BATCH_BYTES = 100 * 1000 * 1000;

/** A draft id as /play makes them (crypto.randomUUID); anything else is ignored. */
function draftParam(value: string | null): string | null {
  return value && /^[0-9a-f-]{36}$/i.test(value) ? value : null;
}

export function mountSaveFromPlay(config: HostConfig): void {
  const form = document.querySelector<HTMLFormElement>("#save-from-play-load");
  const field = document.querySelector<HTMLInputElement>("#save-from-play-link");
  let link = location.hash.startsWith("#code/") ? location.hash : null;
  let draft = draftParam(new URLSearchParams(location.search).get("draft"));
  if (link) history.replaceState(null, "", location.pathname + location.search);
  if (!form || !field) {
    // The preview: its Save takes the draft's files along.
    if (draft) carryOnSave(config, draft);
    return;
  }
  if (form.dataset.signedIn !== "true") {
    if (link) keep(link, draft);
    return;
  }
  if (!link) {
    link = sessionStorage.getItem(KEPT);
    draft = draft ?? draftParam(sessionStorage.getItem(KEPT_DRAFT));
  }
  sessionStorage.removeItem(KEPT);
  sessionStorage.removeItem(KEPT_DRAFT);
  if (!link) return;
  field.value = link;
  // The preview's address keeps the draft, for its Save.
  if (draft) form.action = `${location.pathname}?draft=${encodeURIComponent(draft)}`;
  const waiting = document.querySelector<HTMLElement>("#save-from-play-waiting");
  if (waiting) waiting.textContent = "Reading the notebook…";
  form.submit();
}

function keep(link: string, draft: string | null): void {
  try {
    sessionStorage.setItem(KEPT, link);
    if (draft) sessionStorage.setItem(KEPT_DRAFT, draft);
  } catch {
    // Over the storage quota: after logging in, "Save to account" has to be clicked again.
  }
}

function carryOnSave(config: HostConfig, draft: string): void {
  const form = document.querySelector<HTMLFormElement>("[data-testid=save-from-play-form]");
  if (!form || !config.carryUrl || !config.usercontentOrigin) return;
  const status = document.createElement("p");
  status.dataset.testid = "save-from-play-files";
  status.setAttribute("role", "status");
  status.textContent = "The draft's files in the playground are saved with it (a small window opens to hand them over).";
  form.append(status);
  const { carryUrl, usercontentOrigin } = config;
  form.addEventListener("submit", (event) => {
    event.preventDefault();
    // Now, in the click: browsers allow a pop-up only here.
    const carried = receiveDraftFiles(carryUrl, usercontentOrigin, draft);
    status.textContent = "Reading the files from the playground…";
    form.querySelector<HTMLButtonElement>("button[type=submit]")?.setAttribute("disabled", "");
    void saveWithFiles(form, status, carried);
  });
}

async function saveWithFiles(form: HTMLFormElement, status: HTMLElement, carried: Promise<CarriedFiles | null>): Promise<void> {
  const got = await carried;
  if (!got || got.files.length === 0) {
    // The draft had files when the playground opened this page: none now means it is gone.
    // Saved all the same; the editor says the files stayed behind.
    appendField(form, "carry", "missing");
    form.submit();
    return;
  }
  if (got.missing.length > 0) appendField(form, "carry", "missing");
  status.textContent = "Saving the notebook…";
  let answer: { editorUrl: string; filesUrl: string };
  try {
    const response = await fetch(form.action || location.href, {
      method: "POST",
      body: new FormData(form),
      headers: { Accept: "application/json" },
      credentials: "same-origin",
    });
    if (!response.ok) throw new Error(`HTTP ${response.status}`);
    answer = (await response.json()) as { editorUrl: string; filesUrl: string };
  } catch {
    // Refused (a title too long, the account full) or unreachable: the page's own answer says what to do.
    form.submit();
    return;
  }
  const csrf = form.querySelector<HTMLInputElement>("input[name=csrfmiddlewaretoken]")?.value ?? "";
  const api = new FolderApi(answer.filesUrl, csrf);
  const batches = uploadBatches(got.files);
  let sent = 0;
  try {
    for (const batch of batches) {
      status.textContent = `Uploading the files (${sent} of ${got.files.length})…`;
      await api.upload(batch.files, undefined, batch.folder);
      sent += batch.files.length;
    }
  } catch (error) {
    status.textContent = "";
    const message = document.createElement("span");
    message.textContent =
      `The notebook was saved, but ${got.files.length - sent} of its files were not: ` +
      `${error instanceof ApiError || error instanceof Error ? error.message : String(error)} Upload them in its Files panel. `;
    const open = document.createElement("a");
    open.href = answer.editorUrl;
    open.textContent = "Open the notebook";
    status.append(message, open);
    status.dataset.state = "error";
    return;
  }
  location.assign(answer.editorUrl);
}

function appendField(form: HTMLFormElement, name: string, value: string): void {
  const input = document.createElement("input");
  input.type = "hidden";
  input.name = name;
  input.value = value;
  form.append(input);
}

/** The files grouped by folder (the API names each upload by file name under `folder`), in requests of bounded size. */
function uploadBatches(files: { path: string; data: ArrayBuffer }[]): { folder: string; files: File[] }[] {
  const batches: { folder: string; files: File[]; bytes: number }[] = [];
  for (const file of files) {
    const slash = file.path.lastIndexOf("/");
    const folder = slash < 0 ? "" : file.path.slice(0, slash);
    const upload = new File([file.data], file.path.slice(slash + 1), { type: "application/octet-stream" });
    const last = [...batches].reverse().find((batch) => batch.folder === folder);
    if (last && last.bytes + upload.size <= UPLOAD_BATCH_BYTES) {
      last.files.push(upload);
      last.bytes += upload.size;
    } else {
      batches.push({ folder, files: [upload], bytes: upload.size });
    }
  }
  return batches;
}
