// Vite build of the playground page: src/main.ts plus its module worker, into
// dist/ served under /static/ (docs/frontend-contract.md). Django renders the
// page itself, so there is no index.html: the entry comes from the manifest.
import { copyFileSync, mkdirSync } from "node:fs";
import { join, resolve } from "node:path";
import { defineConfig, type Plugin } from "vite";

const PYODIDE_FILES = [
  "pyodide.mjs",
  "pyodide.asm.mjs",
  "pyodide.asm.wasm",
  "python_stdlib.zip",
  "pyodide-lock.json",
];

// Pyodide loads these at run time from indexURL (/static/pyodide/); they come
// from the pinned npm package, never from a CDN. They go into the build's
// outDir (dist/, or --outDir), next to the rest of the build.
function copyPyodide(): Plugin {
  let outDir = join(import.meta.dirname, "dist");
  return {
    name: "playground-copy-pyodide",
    apply: "build",
    configResolved(config) {
      outDir = resolve(config.root, config.build.outDir);
    },
    closeBundle() {
      const from = join(import.meta.dirname, "node_modules", "pyodide");
      const to = join(outDir, "pyodide");
      mkdirSync(to, { recursive: true });
      for (const name of PYODIDE_FILES) copyFileSync(join(from, name), join(to, name));
    },
  };
}

export default defineConfig({
  // Relative: the same build runs under /static/ and from any folder of a static site.
  base: "./",
  plugins: [copyPyodide()],
  optimizeDeps: { exclude: ["pyodide"] },
  worker: {
    format: "es",
    // pyodide.mjs imports node:fs, node:path, ... only when it runs under Node
    // (behind its IN_NODE checks): in the browser those imports never execute.
    // Left external as written, instead of Vite swapping in empty stand-ins and
    // printing a notice for each one on every build.
    rolldownOptions: { external: [/^node:/] },
  },
  build: {
    outDir: "dist",
    emptyOutDir: true,
    manifest: true,
    target: "es2022",
    sourcemap: false,
    // The largest chunk is mermaid's ELK layout (about 1.5 MB), fetched only when a
    // diagram asks for that layout (outputs/mermaid.ts loads mermaid on demand); the
    // page's own chunks stay far below this.
    chunkSizeWarningLimit: 1600,
    // The playground (user-content site) and the app pages' small script (src/host/).
    rollupOptions: { input: ["src/main.ts", "src/host/main.ts"] },
  },
});
