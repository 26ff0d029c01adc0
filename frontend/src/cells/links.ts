// Which cells a cell reads from and which it feeds, from cell_analysis
// events: a cell feeds every cell whose refs contain one of its defs
// (docs/protocol.md). Private `_names` never cross cells.

export interface Analysis {
  defs: readonly string[];
  refs: readonly string[];
}

function shared(defs: readonly string[], refs: readonly string[]): boolean {
  const wanted = new Set(refs);
  return defs.some((name) => !name.startsWith("_") && wanted.has(name));
}

/** Cells (in notebook order) whose definitions `cellId` reads. */
export function readsFrom(cellId: string, order: readonly string[], analyses: ReadonlyMap<string, Analysis>): string[] {
  const mine = analyses.get(cellId);
  if (!mine) return [];
  return order.filter((other) => other !== cellId && shared(analyses.get(other)?.defs ?? [], mine.refs));
}

/** Cells (in notebook order) that read what `cellId` defines. */
export function feeds(cellId: string, order: readonly string[], analyses: ReadonlyMap<string, Analysis>): string[] {
  const mine = analyses.get(cellId);
  if (!mine) return [];
  return order.filter((other) => other !== cellId && shared(mine.defs, analyses.get(other)?.refs ?? []));
}

/** Every name some cell defines, for completion. */
export function notebookNames(analyses: ReadonlyMap<string, Analysis>): Set<string> {
  const names = new Set<string>();
  for (const analysis of analyses.values()) for (const name of analysis.defs) if (!name.startsWith("_")) names.add(name);
  return names;
}
