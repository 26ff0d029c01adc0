// Light or dark for the playground: the system's unless chosen with the
// toolbar's theme button (kept in this browser). A hosted playground follows
// its host page instead: the host sends its choice (hosting/messages.ts).

export type Theme = "system" | "dark" | "light";

const KEY = "playground:theme";
const ORDER: Theme[] = ["system", "dark", "light"];
const LABEL: Record<Theme, string> = { system: "Theme: system", dark: "Theme: dark", light: "Theme: light" };

export function storedTheme(): Theme {
  try {
    const value = localStorage.getItem(KEY);
    return value === "dark" || value === "light" ? value : "system";
  } catch {
    return "system";
  }
}

export function applyTheme(theme: Theme): void {
  if (theme === "system") delete document.documentElement.dataset.theme;
  else document.documentElement.dataset.theme = theme;
}

export function isTheme(value: unknown): value is Theme {
  return value === "system" || value === "dark" || value === "light";
}

/** The toolbar's button: each click goes system → dark → light → system. */
export function themeButton(): HTMLButtonElement {
  const button = document.createElement("button");
  button.type = "button";
  button.dataset.testid = "theme-toggle";
  const label = () => {
    const theme = storedTheme();
    button.textContent = LABEL[theme];
    button.setAttribute("aria-label", `${LABEL[theme]} (change)`);
  };
  label();
  button.addEventListener("click", () => {
    const next = ORDER[(ORDER.indexOf(storedTheme()) + 1) % ORDER.length];
    try {
      if (next === "system") localStorage.removeItem(KEY);
      else localStorage.setItem(KEY, next);
    } catch {
      // Not kept: it still applies to this page.
    }
    applyTheme(next);
    label();
  });
  return button;
}
