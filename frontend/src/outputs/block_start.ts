// Where a block of a marked extension (math, admonitions) interrupts the
// paragraph being read: marked asks each block extension's `start` for the
// first place its block could begin and ends the paragraph there.

/**
 * The index of the first line of `src` on which `opens(line, rest)` says our
 * block begins, or undefined. marked passes the text after the paragraph's first
 * character, so the first line is never a line start and is skipped; the search
 * stops at the first blank line, where the paragraph ends anyway, so each call
 * reads one paragraph at most (a search to the end of the text on every line
 * would be quadratic).
 */
export function blockStartInParagraph(src: string, opens: (line: string, rest: string) => boolean): number | undefined {
  for (let newline = src.indexOf("\n"); newline >= 0; ) {
    const start = newline + 1;
    const end = src.indexOf("\n", start);
    const line = end < 0 ? src.slice(start) : src.slice(start, end);
    if (line.trim() === "") return undefined;
    if (opens(line, src.slice(start))) return start;
    newline = end;
  }
  return undefined;
}
