// "Save to account" in the playground opens /notebooks/save-from-playground with
// the notebook in the fragment (#code/...), which never reaches a server by
// itself. This script puts it in the page's hidden form and sends it; the answer
// says what will be saved (title, cells) and has the Save button. The link is
// never shown. Signed out, the tab keeps the link (sessionStorage) through the
// log-in, which comes back to this page.

const KEPT = "playground:save-from-play";

export function mountSaveFromPlay(): void {
  const form = document.querySelector<HTMLFormElement>("#save-from-play-load");
  const field = document.querySelector<HTMLInputElement>("#save-from-play-link");
  let link = location.hash.startsWith("#code/") ? location.hash : null;
  if (link) history.replaceState(null, "", location.pathname + location.search);
  if (!form || !field) return; // the preview is already on the page
  if (form.dataset.signedIn !== "true") {
    if (link) keep(link);
    return;
  }
  link = link ?? sessionStorage.getItem(KEPT);
  sessionStorage.removeItem(KEPT);
  if (!link) return;
  field.value = link;
  const waiting = document.querySelector<HTMLElement>("#save-from-play-waiting");
  if (waiting) waiting.textContent = "Reading the notebook…";
  form.submit();
}

function keep(link: string): void {
  try {
    sessionStorage.setItem(KEPT, link);
  } catch {
    // Over the storage quota: after logging in, "Save to account" has to be clicked again.
  }
}
