// Entry point of the app's own notebook pages (the editor, shared and public
// notebooks, import): they frame the playground from the user-content site and
// never run notebook code themselves (docs/security.md).

import { readHostConfig } from "./config";
import { mountEditor } from "./editor";
import { mountImport } from "./import_page";
import { mountViewer } from "./viewer";

function main(): void {
  const config = readHostConfig();
  if (!config) return;
  if (config.page === "import") return mountImport();
  const iframe = document.querySelector<HTMLIFrameElement>("#playground-frame");
  if (!iframe) return;
  if (config.page === "editor") mountEditor(config, iframe);
  else mountViewer(config, iframe);
}

main();
