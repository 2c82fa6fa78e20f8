/** The light / dark / system switch (in the top bar, and on the signed-out pages). */
import { useId, useState } from "react";
import { t } from "../i18n";
import { saveTheme, storedTheme, THEMES, type Theme } from "./theme";


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
        {t("common.theme")}
      </label>
      <select id={id} value={theme} onChange={(e) => change(e.target.value as Theme)}>
        {THEMES.map((option) => (
          <option key={option} value={option}>
            {t(`common.theme.${option}`)}
          </option>
        ))}
      </select>
    </div>
  );
}
