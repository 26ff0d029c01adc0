// Node side of tests/browser/test_link_limits.py: our bounded decompressor
// (frontend/src/share/lz_decompress.ts, bundled by the test with rolldown) next to
// the real lz-string the playground bundles, answering one JSON request per line:
//
//   {"compress": text}                 -> {"data": LZString.compressToEncodedURIComponent(text)}
//   {"data": string, "maxLength": n}   -> {"ours": {"value": string} | {"tooLarge": true} | {"error": message}}
//   ... with "lzString": true          -> also "lzString": LZString.decompressFromEncodedURIComponent(data)
//   ... with "count": true             -> also "produced": how many UTF-16 units of text our
//                                         decompressor built (every string it pushed onto an
//                                         array: its output pieces and its dictionary entries)
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

// Counts the text the decompressor builds, to tell "refused before expanding the link"
// from "expanded it, then refused": every piece of output and every dictionary entry it
// makes is pushed onto an array. Array.prototype.push is wrapped only during the call.
function countingWhatIsBuilt(run) {
  const push = Array.prototype.push;
  let produced = 0;
  Array.prototype.push = function (...items) {
    for (const item of items) if (typeof item === "string") produced += item.length;
    return push.apply(this, items);
  };
  try {
    return [run(), produced];
  } finally {
    Array.prototype.push = push;
  }
}

function decompressWithOursCounting(data, maxLength) {
  const [outcome, produced] = countingWhatIsBuilt(() => decompressWithOurs(data, maxLength));
  return { ours: outcome, produced };
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
      : request.count
        ? decompressWithOursCounting(request.data, request.maxLength)
        : {
            ours: decompressWithOurs(request.data, request.maxLength),
            ...(request.lzString ? { lzString: lzStringOrNull(request.data) } : {}),
          };
  process.stdout.write(JSON.stringify(answer) + "\n");
}
