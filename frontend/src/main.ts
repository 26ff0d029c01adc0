// Entry point of /play. It starts the Python worker first, so Pyodide boots
// while the (larger) editor code downloads and the page is built; then it
// loads the app.

import { absolute, ConfigError, readConfig, staticAsset, type PlaygroundConfig } from "./config";
import { KernelClient } from "./kernel/client";
import { KernelSwitch } from "./kernel/switch";
import { applyTheme, storedTheme } from "./theme";
import { followKernel } from "./outputs/kernel_activity";
import { linkBrandToSite } from "./site_link";
import { reportHeightToParent } from "./site_page";

function startKernel(config: PlaygroundConfig): KernelClient {
  const { assets } = config;
  return new KernelClient({
    indexURL: staticAsset(config, "pyodide/"),
    snapshotUrl: assets.snapshot ? staticAsset(config, assets.snapshot) : null,
    runtimeWheelUrl: staticAsset(config, assets.runtimeWheel),
    micropipWheelUrl: staticAsset(config, assets.micropipWheel),
    wheelIndexUrl: absolute(config.wheelIndexUrl).replace(/%7Bpackage_name%7D/gi, "{package_name}"),
    pyodidePackagesUrl: config.pyodidePackagesUrl ? absolute(config.pyodidePackagesUrl.replace(/\/?$/, "/")) : null,
  });
}

function showFatal(message: string): void {
  const box = document.createElement("div");
  box.className = "fatal";
  box.setAttribute("role", "alert");
  box.textContent = message;
  document.body.prepend(box);
}

async function main(): Promise<void> {
  // Before anything is drawn; a hosted page takes its host's theme when it opens.
  if (!new URLSearchParams(location.search).has("hosted")) applyTheme(storedTheme());
  let config: PlaygroundConfig;
  try {
    config = readConfig();
  } catch (error) {
    showFatal(error instanceof ConfigError ? `The playground cannot start: ${error.message}.` : String(error));
    return;
  }
  // The browser's Python; a hosted notebook may move to a server kernel (server_kernel/).
  const browser = startKernel(config);
  // A page with a folder of its own (an embed, a static site): in place before any cell runs.
  if (config.folder.length > 0) browser.setFolder(config.folder);
  const kernel = new KernelSwitch(browser);
  // Timed UI elements (ui.refresh) skip their ticks while the kernel is still busy.
  followKernel(kernel);
  const { mountApp } = await import("./app");
  const root = document.getElementById("app") ?? document.body;
  await mountApp({ config, kernel, root });
  linkBrandToSite(config, root);
  if (config.site) {
    if (config.site.title) document.title = config.site.title;
    reportHeightToParent();
  }
}

void main();
