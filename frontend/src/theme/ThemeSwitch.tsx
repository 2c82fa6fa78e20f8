/** The light / dark / system switch (in the top bar, and on the signed-out pages). */
import { useId, useState } from "react";
import { saveTheme, storedTheme, THEMES, type Theme } from "./theme";

const LABELS: Record<Theme, string> = { system: "System theme", light: "Light theme", dark: "Dark theme" };

export function ThemeSwitch() {
  const id = useId();
  const [theme, setTheme] = useState<Theme>(() => storedTheme());
  const change = (next: Theme) => {
    setTheme(next);
    saveTheme(next);
  };
  return (
    <div className="theme-switch">
      <label htmlFor={id} className="visually-hidden">
        Theme
      </label>
      <select id={id} value={theme} onChange={(e) => change(e.target.value as Theme)}>
        {THEMES.map((t) => (
          <option key={t} value={t}>
            {LABELS[t]}
          </option>
        ))}
      </select>
    </div>
  );
}
