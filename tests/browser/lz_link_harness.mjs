// Node side of tests/browser/test_link_limits.py: our bounded decompressor
// (frontend/src/share/lz_decompress.ts, bundled by the test with rolldown) next to
// the real lz-string the playground bundles, answering one JSON request per line:
//
//   {"compress": text}                 -> {"data": LZString.compressToEncodedURIComponent(text)}
//   {"data": string, "maxLength": n}   -> {"ours": {"value": string} | {"tooLarge": true} | {"error": message}}
//   ... with "lzString": true          -> also "lzString": LZString.decompressFromEncodedURIComponent(data)
//
// Usage: node lz_link_harness.mjs <bundled lz_decompress.mjs> <lz-string.js>

import { createRequire } from "node:module";
import { createInterface } from "node:readline";
import { pathToFileURL } from "node:url";

const [modulePath, lzStringPath] = process.argv.slice(2);
const ours = await import(pathToFileURL(modulePath).href);
const LZString = createRequire(import.meta.url)(lzStringPath);

function decompressWithOurs(data, maxLength) {
  try {
    return { value: ours.decompressFromEncodedURIComponent(data, maxLength) };
  } catch (error) {
    if (error instanceof ours.LinkTooLarge) return { tooLarge: true };
    if (error instanceof ours.LinkDataError) return { error: error.message };
    throw error;
  }
}

function lzStringOrNull(data) {
  // lz-string's answer to data it never wrote is null, "" or garbage, or an exception.
  try {
    return LZString.decompressFromEncodedURIComponent(data);
  } catch {
    return null;
  }
}

for await (const line of createInterface({ input: process.stdin })) {
  const request = JSON.parse(line);
  const answer =
    "compress" in request
      ? { data: LZString.compressToEncodedURIComponent(request.compress) }
      : {
          ours: decompressWithOurs(request.data, request.maxLength),
          ...(request.lzString ? { lzString: lzStringOrNull(request.data) } : {}),
        };
  process.stdout.write(JSON.stringify(answer) + "\n");
}
