// The import page: "Save to account" in the playground opens it with the notebook
// in the fragment (#code/...), which only this script reads; the form is filled
// with it so one click imports it.

export function mountImport(): void {
  const text = document.querySelector<HTMLTextAreaElement>("#import-text");
  if (!text || !location.hash.startsWith("#code/")) return;
  text.value = location.hash;
  history.replaceState(null, "", location.pathname + location.search);
  document.querySelector<HTMLButtonElement>("[data-testid=import-submit]")?.focus();
}
