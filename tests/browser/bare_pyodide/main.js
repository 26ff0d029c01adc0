// Starts the worker and shows what it answers in #result (data-state: booting, done, error).
const result = document.getElementById("result");
const worker = new Worker("/bare-pyodide/worker.mjs", { type: "module" });
worker.onmessage = (event) => {
  const { value, error, isolated } = event.data;
  result.textContent = error ?? value;
  result.dataset.state = error ? "error" : "done";
  result.dataset.workerIsolated = String(isolated);
};
worker.onerror = (event) => {
  result.textContent = `worker failed: ${event.message}`;
  result.dataset.state = "error";
};
