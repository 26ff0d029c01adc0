// Installing what a cell imports before it runs (runs in the kernel worker).
//
// For each module a cell imports that Python cannot find:
// - in Pyodide's lock (a compiled package such as numpy): loadPackage from
//   PYODIDE_PACKAGES_URL when the server has one, else a plain "not available
//   here" notice;
// - otherwise: micropip from our /wheels/ proxy (pure-Python wheels only). The
//   proxy's own 404 message ("no pure-Python wheel...") is shown as it is.
// The cell runs either way, so a failed install also shows the ImportError;
// the notice above it says why in one sentence, with none of micropip's internals
// (docs/frontend-contract.md, "Packages"). A package that cannot be installed in
// the browser at all is remembered for a day (Cache Storage), so opening the
// notebook again does not download its wheels again only to fail again.

import type { PyodideAPI } from "pyodide";
import type { PackageReport } from "../kernel/messages";

/** Import names whose PyPI project has another name (pure-Python ones only). */
const PROJECT_FOR_MODULE: Record<string, string> = {
  attr: "attrs",
  bs4: "beautifulsoup4",
  dateutil: "python-dateutil",
  dotenv: "python-dotenv",
  jwt: "pyjwt",
  magic: "python-magic",
  multipart: "python-multipart",
  slugify: "python-slugify",
  tomli_w: "tomli-w",
  typing_extensions: "typing-extensions",
};

interface LockPackage {
  name: string;
  file_name: string;
  imports: string[];
  package_type: string;
}

/** PEP 503 normalised project name. */
export function normaliseProject(name: string): string {
  return name.toLowerCase().replace(/[-_.]+/g, "-");
}

export interface InstallerOptions {
  pyodide: PyodideAPI;
  micropipWheelUrl: string;
  /** Absolute, with "{package_name}". */
  wheelIndexUrl: string;
  pyodidePackagesUrl: string | null;
  /** Runs once micropip is loaded (kernels/transports/worker.py's patch_micropip). */
  afterMicropipLoaded(): void;
}

export class PackageInstaller {
  private readonly options: InstallerOptions;
  private lockByImport: Map<string, LockPackage> | null = null;
  private micropip: Promise<void> | null = null;
  /** Outcome per module name, so a failure is not retried on every run. */
  private readonly outcomes = new Map<string, Promise<PackageReport>>();

  constructor(options: InstallerOptions) {
    this.options = options;
  }

  /** Install every module (deduplicated); outcomes in the same order. */
  install(modules: string[]): Promise<PackageReport[]> {
    return Promise.all(modules.map((module) => this.installOne(module)));
  }

  /** Whether Pyodide's lock has a package providing `module`. */
  inLock(module: string): boolean {
    return this.lock().has(module);
  }

  /** Whether installing `module` is already under way or done (the notice need not say "installing"). */
  known(module: string): boolean {
    return this.outcomes.has(module);
  }

  private installOne(module: string): Promise<PackageReport> {
    let outcome = this.outcomes.get(module);
    if (outcome === undefined) {
      outcome = this.resolveRemembering(module);
      this.outcomes.set(module, outcome);
    }
    return outcome;
  }

  private async resolveRemembering(module: string): Promise<PackageReport> {
    const remembered = await rememberedFailure(module);
    if (remembered !== null) return remembered;
    let report: PackageReport;
    try {
      report = await this.resolve(module);
    } catch (error: unknown) {
      const project = this.projectOf(module);
      const cannot = cannotInstallInBrowser(project, module, error);
      report = {
        module,
        project,
        outcome: "failed",
        message: cannot ?? `could not install ${project} for "import ${module}": ${lastLine(error)}`,
      };
      if (cannot !== null) await rememberFailure(module, report);
    }
    return report;
  }

  private projectOf(module: string): string {
    return this.lock().get(module)?.name ?? PROJECT_FOR_MODULE[module] ?? module;
  }

  private async resolve(module: string): Promise<PackageReport> {
    const locked = this.lock().get(module);
    // Pure-Python packages of the lock also come from the index when the
    // server has no Pyodide packages; compiled ones have nowhere else to come from.
    if (locked !== undefined && (this.options.pyodidePackagesUrl !== null || !isPureWheel(locked.file_name))) {
      if (this.options.pyodidePackagesUrl === null) {
        return {
          module,
          project: locked.name,
          outcome: "unavailable",
          message:
            `${module} is a compiled package; this server does not provide Pyodide's compiled ` +
            `packages (PYODIDE_PACKAGES_URL), so it cannot be imported here`,
        };
      }
      await this.options.pyodide.loadPackage(locked.name, { checkIntegrity: true });
      return { module, project: locked.name, outcome: "installed", message: `loaded ${locked.name}` };
    }
    return this.installFromIndex(module, this.projectOf(module));
  }

  private async installFromIndex(module: string, project: string): Promise<PackageReport> {
    const indexUrl = this.options.wheelIndexUrl.replace("{package_name}", normaliseProject(project));
    // Ask the index first: its 404 says why in words micropip would lose.
    const response = await fetch(indexUrl, { headers: { Accept: "application/vnd.pypi.simple.v1+json" } });
    if (!response.ok) {
      let reason =
        response.status === 404
          ? `there is no project named ${project} on the package index`
          : `the package index failed (HTTP ${response.status}); try again later`;
      try {
        const body = (await response.json()) as { error?: unknown };
        if (typeof body.error === "string" && body.error) reason = body.error;
      } catch {
        // not JSON: keep the status
      }
      return {
        module,
        project,
        outcome: "failed",
        message: `could not install ${project} for "import ${module}": ${reason}`,
      };
    }
    await this.loadMicropip();
    const micropip = this.options.pyodide.pyimport("micropip");
    try {
      await micropip.install.callKwargs(project, { index_urls: [this.options.wheelIndexUrl] });
    } finally {
      micropip.destroy();
    }
    return { module, project, outcome: "installed", message: `installed ${project}` };
  }

  private loadMicropip(): Promise<void> {
    this.micropip ??= this.options.pyodide
      .loadPackage(this.options.micropipWheelUrl, { checkIntegrity: false })
      .then(() => this.options.afterMicropipLoaded());
    return this.micropip;
  }

  private lock(): Map<string, LockPackage> {
    if (this.lockByImport === null) {
      const map = new Map<string, LockPackage>();
      const packages = this.options.pyodide.lockfile.packages as unknown as Record<string, LockPackage>;
      for (const pkg of Object.values(packages)) {
        for (const name of pkg.imports ?? []) map.set(name, pkg);
      }
      this.lockByImport = map;
    }
    return this.lockByImport;
  }
}

/**
 * One sentence for an install that can never work in the browser, from micropip's
 * error: which package, why, what to do instead. Null for any other failure (a
 * network error, the index down), which may well work next time.
 */
export function cannotInstallInBrowser(project: string, module: string, error: unknown): string | null {
  const text = error instanceof Error ? error.message : String(error);
  const missing = new Set<string>();
  for (const found of text.matchAll(/Can't find a pure Python 3 wheel for:? ([^\n]+)/g)) {
    for (const name of found[1]!.matchAll(/'([^']+)'/g)) missing.add(requirementName(name[1]!));
  }
  for (const found of text.matchAll(/Can't fetch metadata for '([^']+)'/g)) missing.add(requirementName(found[1]!));
  if (missing.size === 0) return null;
  const own = normaliseProject(project);
  const others = [...missing].filter((name) => normaliseProject(name) !== own);
  const why =
    others.length === 0
      ? `${project} has no pure-Python build`
      : `${project} needs ${others.join(", ")}, which ${others.length > 1 ? "have" : "has"} no pure-Python build`;
  return (
    `${project} cannot be installed in the browser (for "import ${module}"): ${why}, and only ` +
    "pure-Python packages run here. Run this notebook where it is installed (playground run), " +
    "or use a pure-Python package instead."
  );
}

/** "numpy>=2; python_version>'3'" -> "numpy". */
function requirementName(requirement: string): string {
  return requirement.split(/[<>=!~;\[ (]/)[0]!.trim();
}

const FAILURES_CACHE = "playground-install-failures-v1";
const REMEMBER_MS = 24 * 60 * 60 * 1000;

function failureKey(module: string): string {
  return new URL(`/__playground/install-failures/${encodeURIComponent(module)}`, self.location.origin).href;
}

async function rememberedFailure(module: string): Promise<PackageReport | null> {
  if (typeof caches === "undefined") return null;
  try {
    const hit = await (await caches.open(FAILURES_CACHE)).match(failureKey(module));
    if (!hit) return null;
    const saved = (await hit.json()) as { at?: number; report?: PackageReport };
    if (!saved.report || typeof saved.at !== "number" || Date.now() - saved.at > REMEMBER_MS) return null;
    return saved.report;
  } catch {
    return null; // storage unavailable: just try again
  }
}

async function rememberFailure(module: string, report: PackageReport): Promise<void> {
  if (typeof caches === "undefined") return;
  try {
    const body = JSON.stringify({ at: Date.now(), report });
    await (await caches.open(FAILURES_CACHE)).put(
      failureKey(module),
      new Response(body, { headers: { "Content-Type": "application/json" } }),
    );
  } catch {
    // not remembered: the next open tries again
  }
}

function isPureWheel(fileName: string): boolean {
  return /-(py3|py2\.py3)-none-any\.whl$/.test(fileName);
}

/** The last non-empty line of an error: for a Python traceback, the exception itself. */
export function lastLine(error: unknown): string {
  const text = error instanceof Error ? error.message : String(error);
  const lines = text.split("\n").map((l) => l.trim()).filter(Boolean);
  return lines.length ? lines[lines.length - 1]! : "unknown error";
}
