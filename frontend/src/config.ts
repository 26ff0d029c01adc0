// The page's configuration, embedded by Django as JSON in #playground-config
// (docs/frontend-contract.md, "The page").

import { isFolderFile } from "./hosting/messages";
import type { FolderFile, NotebookFile } from "./kernel/messages";
import { readSite, type SiteInfo } from "./site_page";

export interface PlaygroundAssets {
  pyodideVersion: string;
  runtimeWheel: string;
  micropipWheel: string;
  snapshot: string | null;
  snapshotKey: string | null;
}

export interface PlaygroundConfig {
  staticUrl: string;
  assets: PlaygroundAssets;
  wheelIndexUrl: string;
  pyodidePackagesUrl: string | null;
  /** The document rich outputs render in (Django's /play/output-frame); null: srcdoc frames. */
  outputFrameUrl: string | null;
  mode: "edit" | "read";
  embed: boolean;
  /** Framed by one of the app's own pages, which supplies the notebook (hosting/). */
  hosted: boolean;
  /** The app's origin: the only parent a hosted playground listens to. */
  appOrigin: string | null;
  /** The app's page that "Save to account" opens with the notebook in its #code/. */
  importUrl: string | null;
  /** The app's home page (the service this playground belongs to); null: none. */
  siteUrl: string | null;
  /**
   * The most UTF-16 code units a `#code/` link may decompress to: the server's
   * NOTEBOOK_MAX_BYTES, the bound its import applies to the same links.
   */
  linkMaxLength: number;
  /** What a first visit opens (the server's starter notebook); null: one empty cell. */
  starter: NotebookFile | null;
  /**
   * The notebook's folder for a page that carries one (`site.files`: an embed of a
   * saved notebook, a static site): Python's working directory, URLs made absolute.
   * Empty for the playground itself (a hosted page gets its folder from the host).
   */
  folder: FolderFile[];
  /** A page that is one notebook's own (a static site, an embed): site_page.ts. */
  site: SiteInfo | null;
  /** The service's limits on a folder (FOLDER_FILE_MAX_BYTES, FOLDER_FILES_MAX), applied to /play drafts' files too. */
  folderFileMaxBytes: number;
  folderFilesMax: number;
}

/** The server's default NOTEBOOK_MAX_BYTES, for a page config without `linkMaxLength`. */
const DEFAULT_LINK_MAX_LENGTH = 2 * 1024 * 1024;

export class ConfigError extends Error {}

export function readConfig(doc: Document = document): PlaygroundConfig {
  const element = doc.getElementById("playground-config");
  if (element === null) throw new ConfigError("the page has no #playground-config element");
  let raw: Partial<PlaygroundConfig>;
  try {
    raw = JSON.parse(element.textContent || "{}");
  } catch (error) {
    throw new ConfigError(`#playground-config is not valid JSON (${String(error)})`);
  }
  if (!raw.assets || typeof raw.assets.runtimeWheel !== "string" || typeof raw.assets.micropipWheel !== "string") {
    throw new ConfigError("#playground-config has no assets (run `make frontend-build`, then reload)");
  }
  const params = new URLSearchParams(location.search);
  const site = readSite((raw as { site?: unknown }).site);
  return {
    staticUrl: raw.staticUrl || "/static/",
    assets: raw.assets,
    wheelIndexUrl: raw.wheelIndexUrl || "/wheels/simple/{package_name}/",
    pyodidePackagesUrl: raw.pyodidePackagesUrl ?? null,
    outputFrameUrl: raw.outputFrameUrl ?? null,
    // The URL is the user's intent; the server's values are the fallback.
    mode: pageMode(raw.mode, params.get("mode"), site),
    embed: raw.embed === true || params.get("embed") === "true",
    hosted: raw.hosted === true && typeof raw.appOrigin === "string",
    appOrigin: raw.appOrigin ?? null,
    importUrl: raw.importUrl ?? null,
    siteUrl: typeof raw.siteUrl === "string" ? raw.siteUrl : null,
    linkMaxLength: positiveInteger(raw.linkMaxLength) ?? DEFAULT_LINK_MAX_LENGTH,
    starter: isNotebookFile(raw.starter) ? raw.starter : null,
    folder: siteFolder((raw as { site?: unknown }).site),
    site,
    folderFileMaxBytes: positiveInteger(raw.folderFileMaxBytes) ?? 100 * 1000 * 1000,
    folderFilesMax: positiveInteger(raw.folderFilesMax) ?? 200,
  };
}

function pageMode(server: unknown, asked: string | null, site: SiteInfo | null): "read" | "edit" {
  if (asked === "read") return "read";
  // A site page that offers its code shows it when asked (its "Show code" control).
  if (asked === "edit" && site?.showCode) return "edit";
  return server === "read" ? "read" : "edit";
}

function siteFolder(site: unknown): FolderFile[] {
  const files = typeof site === "object" && site !== null ? (site as { files?: unknown }).files : undefined;
  if (!Array.isArray(files)) return [];
  // Relative addresses (a static site's "files/data.csv") are the page's, not the worker's.
  return files.filter(isFolderFile).map((file) => ({ ...file, url: absolute(file.url) }));
}

function isNotebookFile(value: unknown): value is NotebookFile {
  if (typeof value !== "object" || value === null) return false;
  const cells = (value as { cells?: unknown }).cells;
  return Array.isArray(cells) && cells.every((cell) => typeof cell === "object" && cell !== null && typeof (cell as { code?: unknown }).code === "string" && typeof (cell as { name?: unknown }).name === "string");
}

function positiveInteger(value: unknown): number | null {
  return typeof value === "number" && Number.isSafeInteger(value) && value > 0 ? value : null;
}

/** An absolute URL on this origin (Pyodide and micropip need absolute ones). */
export function absolute(path: string): string {
  return new URL(path, location.href).href;
}

export function staticAsset(config: PlaygroundConfig, path: string): string {
  return absolute(config.staticUrl.replace(/\/?$/, "/") + path);
}
