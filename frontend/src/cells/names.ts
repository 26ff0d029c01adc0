// Names (= protocol cell ids) for new cells: four random letters, as
// kernels.runtime.formats.new_cell_name does, so they fit our .py markers.

const LETTERS = "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ";

export function newCellName(taken: Iterable<string>): string {
  const used = new Set(taken);
  for (let length = 4; ; length++) {
    for (let attempt = 0; attempt < 100; attempt++) {
      const bytes = crypto.getRandomValues(new Uint8Array(length));
      const name = Array.from(bytes, (b) => LETTERS[b % LETTERS.length]).join("");
      if (!used.has(name)) return name;
    }
  }
}
