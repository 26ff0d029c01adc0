// Entry point of the app's own notebook pages (the editor, shared and public
// notebooks, import): they frame the playground from the user-content site and
// never run notebook code themselves (docs/security.md). Other app pages load it
// for their Copy buttons only (they have no #host-config).

import { readHostConfig } from "./config";
import { mountCarryFiles } from "./carry_files";
import { mountCopyButtons } from "./copy_buttons";
import { mountEditor } from "./editor";
import { mountImport } from "./import_page";
import { mountSaveFromPlay } from "./save_from_play";
import { mountViewer } from "./viewer";

function main(): void {
  mountCopyButtons();
  const config = readHostConfig();
  if (!config) return;
  if (config.page === "import") return mountImport(config.saveFromPlayUrl);
  if (config.page === "save-from-play") return mountSaveFromPlay(config);
  if (config.page === "carry-files") return config.appOrigin ? mountCarryFiles(config.appOrigin) : undefined;
  const iframe = document.querySelector<HTMLIFrameElement>("#playground-frame");
  if (!iframe) return;
  if (config.page === "editor") mountEditor(config, iframe);
  else mountViewer(config, iframe);
}

main();
