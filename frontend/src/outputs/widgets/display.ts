// Elements that only show something: an image (data: URLs only) and a progress
// bar with its count and time left. They send nothing.

import { el, num, shell, str } from "./dom";
import type { UiSpec, Widget } from "./types";

export function image(spec: UiSpec): Widget {
  const { root, error } = shell(spec);
  const src = str(spec.props.src);
  const img = el("img", { class: "output-image", alt: spec.label });
  if (/^data:image\/[a-z0-9.+-]+(;[a-z0-9=.+-]+)*(;base64)?,/i.test(src)) img.src = src;
  if (typeof spec.props.width === "number") img.style.width = `${spec.props.width}px`;
  if (typeof spec.props.height === "number") img.style.height = `${spec.props.height}px`;
  root.append(img, error);
  return { spec, root, error, get: () => null, set: () => undefined };
}

function formatSeconds(s: number): string {
  return s < 60 ? `${Math.round(s)} s` : `${Math.floor(s / 60)} min ${Math.round(s % 60)} s`;
}

export function progress(spec: UiSpec): Widget {
  const { root, error } = shell(spec);
  const p = spec.props;
  const title = str(p.title) || spec.label || "progress";
  const bar = el("progress", { "aria-label": title });
  const total = typeof p.total === "number" ? p.total : null;
  const current = num(p.current, num(spec.value, 0));
  if (typeof p.fraction === "number" && total !== null) {
    bar.max = total || 1;
    bar.value = Math.min(current, total);
  } else if (typeof p.fraction === "number") {
    bar.max = 1;
    bar.value = p.fraction;
  }
  const parts = [title, total !== null ? `${current}/${total}` : `${current}`];
  if (p.done) parts.push("done");
  else if (typeof p.eta === "number") parts.push(`about ${formatSeconds(p.eta)} left`);
  const text = el("span", { class: "ui-progress-text" }, parts.join(" · "));
  root.append(bar, text, error);
  return { spec, root, error, get: () => current, set: () => undefined };
}
