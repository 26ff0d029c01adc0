// Boots Pyodide from the service's /static/pyodide/ and posts the value of 1+1.
import { loadPyodide } from "/static/pyodide/pyodide.mjs";

try {
  const pyodide = await loadPyodide({
    indexURL: new URL("/static/pyodide/", self.location.href).href,
  });
  postMessage({ value: String(pyodide.runPython("1+1")), isolated: self.crossOriginIsolated });
} catch (error) {
  postMessage({ error: `Pyodide failed to start: ${error}`, isolated: self.crossOriginIsolated });
}
