// The import page. "Save to account" in playgrounds built before the
// save-from-playground page opened this page with the notebook in the fragment
// (#code/...): send it on to that page, which shows what will be saved instead
// of a form full of compressed text.

export function mountImport(saveFromPlayUrl: string | undefined): void {
  if (saveFromPlayUrl && location.hash.startsWith("#code/")) location.replace(saveFromPlayUrl + location.hash);
}
