// The playground's way back to the service it belongs to: the toolbar's brand
// becomes a link to the site's home page (config.siteUrl), which takes signed-in
// people on to their notebooks. Embedded and hosted pages show no brand, so they
// get no link. (The toolbar is app.ts's; this runs once it is built.)

import type { PlaygroundConfig } from "./config";

export function linkBrandToSite(config: PlaygroundConfig, root: ParentNode): void {
  if (!config.siteUrl) return;
  const brand = root.querySelector<HTMLElement>(".toolbar .brand");
  if (!brand || brand instanceof HTMLAnchorElement) return;
  const link = document.createElement("a");
  link.className = brand.className;
  link.href = config.siteUrl;
  link.textContent = brand.textContent;
  link.title = "Playground: your notebooks, sharing and help";
  link.dataset.testid = "site-link";
  brand.replaceWith(link);
}
