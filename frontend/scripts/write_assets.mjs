// Writes frontend/dist/playground-assets.json, the one file Django reads to
// configure the page (docs/frontend-contract.md), and gzips the large static
// files next to themselves (`x.wasm.gz`) so WhiteNoise can serve them compressed.
//
// Usage: node frontend/scripts/write_assets.mjs   (last step of `make frontend-build`)
// Paths in the JSON are relative to /static/ (the build's `base`).

import { existsSync, readdirSync, readFileSync, statSync, writeFileSync } from "node:fs";
import { dirname, join, resolve } from "node:path";
import { fileURLToPath } from "node:url";
import { gzipSync } from "node:zlib";

const FRONTEND = resolve(dirname(fileURLToPath(import.meta.url)), "..");
const DIST = join(FRONTEND, "dist");

function only(dir, pattern, what) {
  const names = existsSync(join(DIST, dir)) ? readdirSync(join(DIST, dir)).filter((n) => pattern.test(n)) : [];
  if (names.length > 1) throw new Error(`more than one ${what} in dist/${dir}: ${names.join(", ")}`);
  return names.length ? `${dir}/${names[0]}` : null;
}

function required(path, what) {
  if (path === null) throw new Error(`no ${what} in ${DIST}; run \`make frontend-build\``);
  return path;
}

// Compressible files worth serving gzipped (the wasm is 9.6 MB, ~3 MB gzipped).
const COMPRESS = /\.(m?js|css|json|wasm|svg|html)$/;

function gzipTree(dir) {
  for (const name of readdirSync(dir)) {
    const path = join(dir, name);
    const stat = statSync(path);
    if (stat.isDirectory()) gzipTree(path);
    else if (COMPRESS.test(name) && stat.size > 1024) writeFileSync(path + ".gz", gzipSync(readFileSync(path), { level: 9 }));
  }
}

const pyodideVersion = JSON.parse(readFileSync(join(FRONTEND, "node_modules", "pyodide", "package.json"), "utf8")).version;
const snapshot = only("snapshot", /^[0-9a-f]{16}\.bin$/, "snapshot");
const assets = {
  pyodideVersion,
  runtimeWheel: required(only("wheels", /^playground_runtime-.+-py3-none-any\.whl$/, "runtime wheel"), "runtime wheel"),
  micropipWheel: required(only("wheels", /^micropip-.+\.whl$/, "micropip wheel"), "micropip wheel"),
  snapshot,
  snapshotKey: snapshot ? snapshot.slice("snapshot/".length, -".bin".length) : null,
};
for (const dir of ["assets", "pyodide"]) gzipTree(join(DIST, dir));
writeFileSync(join(DIST, "playground-assets.json"), JSON.stringify(assets, null, 2) + "\n");
console.log(JSON.stringify(assets));
