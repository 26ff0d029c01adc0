// Installing what a cell imports before it runs (runs in the kernel worker).
//
// For each module a cell imports that Python cannot find:
// - in Pyodide's lock (a compiled package such as numpy): loadPackage from
//   PYODIDE_PACKAGES_URL when the server has one, else a plain "not available
//   here" notice;
// - otherwise: micropip from our /wheels/ proxy (pure-Python wheels only). The
//   proxy's own 404 message ("no pure-Python wheel...") is shown as it is.
// The cell runs either way, so a failed install also shows the ImportError;
// the notice above it says why (docs/frontend-contract.md, "Packages").

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
  /** Runs once micropip is loaded (bridge.py's patch_micropip). */
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
      outcome = this.resolve(module).catch((error: unknown) => ({
        module,
        project: module,
        outcome: "failed" as const,
        message: `could not install ${module}: ${lastLine(error)}`,
      }));
      this.outcomes.set(module, outcome);
    }
    return outcome;
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
    const project = locked?.name ?? PROJECT_FOR_MODULE[module] ?? module;
    return this.installFromIndex(module, project);
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

function isPureWheel(fileName: string): boolean {
  return /-(py3|py2\.py3)-none-any\.whl$/.test(fileName);
}

/** The last non-empty line of an error: for a Python traceback, the exception itself. */
export function lastLine(error: unknown): string {
  const text = error instanceof Error ? error.message : String(error);
  const lines = text.split("\n").map((l) => l.trim()).filter(Boolean);
  return lines.length ? lines[lines.length - 1]! : "unknown error";
}
