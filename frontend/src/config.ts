// The page's configuration, embedded by Django as JSON in #playground-config
// (docs/frontend-contract.md, "The page").

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
  /** The app's import page ("Save to my account" opens it with the notebook in its #code/). */
  importUrl: string | null;
  /**
   * The most UTF-16 code units a `#code/` link may decompress to: the server's
   * NOTEBOOK_MAX_BYTES, the bound its import applies to the same links.
   */
  linkMaxLength: number;
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
  return {
    staticUrl: raw.staticUrl || "/static/",
    assets: raw.assets,
    wheelIndexUrl: raw.wheelIndexUrl || "/wheels/simple/{package_name}/",
    pyodidePackagesUrl: raw.pyodidePackagesUrl ?? null,
    outputFrameUrl: raw.outputFrameUrl ?? null,
    // The URL is the user's intent; the server's values are the fallback.
    mode: raw.mode === "read" || params.get("mode") === "read" ? "read" : "edit",
    embed: raw.embed === true || params.get("embed") === "true",
    hosted: raw.hosted === true && typeof raw.appOrigin === "string",
    appOrigin: raw.appOrigin ?? null,
    importUrl: raw.importUrl ?? null,
    linkMaxLength: positiveInteger(raw.linkMaxLength) ?? DEFAULT_LINK_MAX_LENGTH,
  };
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
