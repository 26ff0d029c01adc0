// Runs tests/runtime under Pyodide (the interpreter notebooks get in the browser), in Node.
//
// Usage: node tests/pyodide/run_runtime_tests.mjs [extra pytest args...]   (or `make test-pyodide`)
//
// Needs, both prepared by `make test-pyodide`:
//   - frontend/node_modules/pyodide   (`npm ci` in frontend/; Pyodide is loaded only from here)
//   - .cache/pyodide-wheels           (the wheels pinned in tests/pyodide/requirements.txt)
// Nothing is fetched over the network: the wheels are unpacked into Pyodide's
// site-packages with zipfile, and the repository is mounted at /repo with NODEFS.
// Exits with pytest's exit code; "no tests collected" (5) counts as a failure,
// since the point of this run is that the runtime's tests pass under Pyodide.

import { existsSync, readFileSync, writeSync } from "node:fs";
import { dirname, join, resolve } from "node:path";
import { fileURLToPath, pathToFileURL } from "node:url";

const REPO_ROOT = resolve(dirname(fileURLToPath(import.meta.url)), "..", "..");
const PYODIDE_DIR = join(REPO_ROOT, "frontend", "node_modules", "pyodide");
const MOUNT = "/repo";

const BOOTSTRAP = join(REPO_ROOT, "tests", "pyodide", "bootstrap.py");

function writeTo(fd) {
  return {
    write(bytes) {
      writeSync(fd, bytes);
      return bytes.length;
    },
  };
}

async function main() {
  if (!existsSync(join(PYODIDE_DIR, "pyodide.mjs"))) {
    console.error(
      `error: Pyodide is not installed in ${PYODIDE_DIR}.\n` +
        "Run `make test-pyodide` (it runs `npm ci` in frontend/).",
    );
    return 3;
  }
  const { loadPyodide } = await import(pathToFileURL(join(PYODIDE_DIR, "pyodide.mjs")).href);
  const py = await loadPyodide({
    indexURL: PYODIDE_DIR + "/",
    // The repository is mounted read-write: write no __pycache__ into it.
    env: { HOME: "/home/pyodide", PYTHONDONTWRITEBYTECODE: "1" },
  });
  py.setStdout(writeTo(1));
  py.setStderr(writeTo(2));
  py.mountNodeFS(MOUNT, REPO_ROOT);
  py.runPython(readFileSync(BOOTSTRAP, "utf8"), { filename: BOOTSTRAP });
  const code = py.globals.get("main")(MOUNT, py.toPy(process.argv.slice(2)));
  if (code === 5) {
    console.error(
      "error: pytest collected no tests from tests/runtime under Pyodide. " +
        "This run exists to prove the runtime's tests pass in the browser's Python, " +
        "so an empty run fails.",
    );
  }
  return code;
}

main().then(
  (code) => process.exit(code),
  (error) => {
    console.error("error: the Pyodide test run crashed:");
    console.error(error);
    process.exit(3);
  },
);
