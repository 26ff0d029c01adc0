// The file input (`ui.file`): files chosen or dropped are checked against the
// spec's accepted types, count and size limit (with a message saying what to
// change), read in the page and sent base64-encoded in one set_ui_value.

import { el, labelFor, num, shell, str, strings } from "./dom";
import { changed } from "./sending";
import type { Sink, UiSpec, Widget } from "./types";

function base64(bytes: Uint8Array): string {
  let binary = "";
  for (let i = 0; i < bytes.length; i += 0x8000) binary += String.fromCharCode(...bytes.subarray(i, i + 0x8000));
  return btoa(binary);
}

function accepts(file: File, accept: string[]): boolean {
  if (accept.length === 0) return true;
  const name = file.name.toLowerCase();
  return accept.some((pattern) => {
    const p = pattern.toLowerCase();
    if (p.startsWith(".")) return name.endsWith(p);
    if (p.endsWith("/*")) return file.type.toLowerCase().startsWith(p.slice(0, -1));
    return file.type.toLowerCase() === p;
  });
}

function formatBytes(n: number): string {
  if (n < 1024) return `${n} B`;
  if (n < 1024 * 1024) return `${(n / 1024).toFixed(1)} KB`;
  return `${(n / 1024 / 1024).toFixed(1)} MB`;
}

export function fileInput(spec: UiSpec, sink: Sink): Widget {
  const { root, error } = shell(spec);
  const accept = strings(spec.props.accept);
  const maxSize = num(spec.props.max_size, 10 * 1024 * 1024);
  const input = el("input", { type: "file" });
  if (accept.length) input.accept = accept.join(",");
  input.multiple = spec.props.multiple === true;
  const label = labelFor(spec, input);
  const list = el("ul", { class: "ui-files" });
  const note = el("div", { class: "ui-note", role: "status" });
  let current: unknown[] = [];
  const set = (value: unknown) => {
    current = Array.isArray(value) ? value : [];
    list.replaceChildren(
      ...current.map((f) => {
        const file = (f ?? {}) as { name?: unknown; size?: unknown };
        return el("li", {}, `${str(file.name)} (${formatBytes(num(file.size, 0))})`);
      }),
    );
  };
  set(spec.value);
  root.append(...(label ? [label] : []), input, note, list, error);
  const widget: Widget = { spec, root, error, get: () => current, set };
  const take = async (files: File[]) => {
    if (files.length === 0) return;
    if (!input.multiple && files.length > 1) {
      note.textContent = "Choose one file only.";
      return;
    }
    const refused = files.filter((f) => !accepts(f, accept));
    if (refused.length) {
      note.textContent = `${refused.map((f) => f.name).join(", ")}: not an accepted type (${accept.join(", ")}).`;
      return;
    }
    const total = files.reduce((sum, f) => sum + f.size, 0);
    if (total > maxSize) {
      note.textContent = `The upload is ${formatBytes(total)}, over the limit of ${formatBytes(maxSize)}; raise max_size= to allow more.`;
      input.value = "";
      return;
    }
    note.textContent = "Reading…";
    const value = await Promise.all(
      files.map(async (f) => ({ name: f.name, type: f.type, size: f.size, contents: base64(new Uint8Array(await f.arrayBuffer())) })),
    );
    note.textContent = "";
    set(value.map(({ name, type, size }) => ({ name, type, size })));
    changed(widget, sink, value, false);
  };
  input.addEventListener("change", () => void take([...(input.files ?? [])]));
  root.addEventListener("dragover", (event) => event.preventDefault());
  root.addEventListener("drop", (event) => {
    event.preventDefault();
    void take([...(event.dataTransfer?.files ?? [])]);
  });
  return widget;
}
