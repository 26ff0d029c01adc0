// Makes the Pyodide memory snapshot the browser worker restores instead of booting.
//
// Usage: node frontend/scripts/make_snapshot.mjs        (run by `make frontend-build`)
//
// Boots Pyodide from node_modules with `_makeSnapshot`, unpacks the runtime
// wheel from frontend/dist/wheels, imports every module the worker needs and
// writes frontend/dist/snapshot/<key>.bin and .bin.gz, where key =
// sha256(pyodide version + runtime wheel bytes + this script)[:16]: any change to
// what is preloaded, the runtime or Pyodide gives
// a new URL, and a stale snapshot can never be restored. Snapshots are kept in
// .cache/frontend-snapshots/ so an unchanged runtime is not snapshotted again.
//
// A snapshot holds Python's memory only, not Pyodide's virtual filesystem:
// the worker unpacks the wheel again after a restore so lazy imports find
// their files. micropip is not in it: it holds JavaScript objects at import
// time, which a snapshot cannot serialize; the worker loads it on demand.
//
// Failing to make a snapshot is not a build failure: the script warns, writes
// nothing, exits 0, and the worker boots normally ("snapshot": null).

import { createHash } from "node:crypto";
import { copyFileSync, existsSync, mkdirSync, readdirSync, readFileSync, renameSync, rmSync, writeFileSync } from "node:fs";
import { dirname, join, resolve } from "node:path";
import { fileURLToPath, pathToFileURL } from "node:url";
import { gzipSync } from "node:zlib";

const FRONTEND = resolve(dirname(fileURLToPath(import.meta.url)), "..");
const REPO_ROOT = resolve(FRONTEND, "..");
const PYODIDE_DIR = join(FRONTEND, "node_modules", "pyodide");
const DIST = join(FRONTEND, "dist");
const CACHE = join(REPO_ROOT, ".cache", "frontend-snapshots");

// What the worker imports (kernels/transports/worker.py and the modules it uses).
const PRELOAD = `
import ast, asyncio, base64, importlib, importlib.util, io, json, os, random, site, sys, traceback, zipfile
import kernels.runtime.analysis
import kernels.runtime.commands
import kernels.runtime.execution
import kernels.runtime.formats
import kernels.runtime.graph
import kernels.runtime.kernel
import kernels.runtime.notebook
import kernels.runtime.outputs
import kernels.runtime.protocol as _protocol
import kernels.transports.session
import kernels.transports.worker
import kernels.transports.worker_requests
import kernels.ui
import kernels.marimo_compat  # "import marimo" in a cell costs nothing after a restore

# Fill the protocol's type-hint cache and compile the analyser's paths once,
# so the first command after a restore does not pay for it.
for _cls in (*_protocol.COMMANDS.values(), *_protocol.EVENTS.values()):
    _protocol._hints(_cls)
kernels.runtime.analysis.analyze_cell("x = [i for i in range(3)]\\nx", "<warm-up>")
os.environ.pop("_", None)  # the node script's path; means nothing in a browser
del _cls, _protocol
`;

function findRuntimeWheel() {
  const dir = join(DIST, "wheels");
  const names = existsSync(dir) ? readdirSync(dir).filter((n) => /^playground_runtime-.*\.whl$/.test(n)) : [];
  if (names.length !== 1) {
    throw new Error(`expected one playground_runtime wheel in ${dir}, found ${names.length}`);
  }
  return join(dir, names[0]);
}

export function snapshotKey(pyodideVersion, wheelBytes) {
  // This script decides what the snapshot preloads, so it is part of the key.
  const self = readFileSync(fileURLToPath(import.meta.url));
  return createHash("sha256")
    .update(pyodideVersion)
    .update(wheelBytes)
    .update(self)
    .digest("hex")
    .slice(0, 16);
}

async function makeSnapshot(wheelBytes) {
  const { loadPyodide } = await import(pathToFileURL(join(PYODIDE_DIR, "pyodide.mjs")).href);
  // env is explicit so none of this machine's environment ends up in the snapshot.
  const py = await loadPyodide({
    indexURL: PYODIDE_DIR + "/",
    _makeSnapshot: true,
    env: { HOME: "/home/pyodide" },
  });
  py.FS.writeFile("/tmp/runtime.whl", wheelBytes);
  py.runPython(`
import importlib, site, zipfile
with zipfile.ZipFile("/tmp/runtime.whl") as _wheel:
    _wheel.extractall(site.getsitepackages()[0])
importlib.invalidate_caches()
del _wheel
`);
  py.FS.unlink("/tmp/runtime.whl");
  py.runPython(PRELOAD);
  return py.makeMemorySnapshot();
}

async function main() {
  const pyodideVersion = JSON.parse(readFileSync(join(PYODIDE_DIR, "package.json"), "utf8")).version;
  const wheelPath = findRuntimeWheel();
  const wheelBytes = readFileSync(wheelPath);
  const key = snapshotKey(pyodideVersion, wheelBytes);
  const cached = join(CACHE, `${key}.bin`);
  if (!existsSync(cached) || !existsSync(cached + ".gz")) {
    const started = performance.now();
    const snapshot = await makeSnapshot(wheelBytes);
    mkdirSync(CACHE, { recursive: true });
    writeFileSync(cached + ".tmp", snapshot);
    writeFileSync(cached + ".gz.tmp", gzipSync(snapshot, { level: 9 }));
    renameSync(cached + ".tmp", cached);
    renameSync(cached + ".gz.tmp", cached + ".gz");
    const seconds = ((performance.now() - started) / 1000).toFixed(1);
    console.log(`snapshot ${key}: ${(snapshot.length / 1e6).toFixed(1)} MB, made in ${seconds} s`);
  } else {
    console.log(`snapshot ${key}: unchanged (from ${CACHE})`);
  }
  // Snapshots of older runtimes are never restored again (their key is gone).
  for (const name of readdirSync(CACHE)) {
    if (!name.startsWith(key)) rmSync(join(CACHE, name), { force: true });
  }
  const out = join(DIST, "snapshot");
  mkdirSync(out, { recursive: true });
  copyFileSync(cached, join(out, `${key}.bin`));
  copyFileSync(cached + ".gz", join(out, `${key}.bin.gz`));
}

main().catch((error) => {
  console.warn("warning: no Pyodide memory snapshot was made; the worker will boot without one.");
  console.warn(error && error.stack ? error.stack : error);
  process.exit(0);
});
