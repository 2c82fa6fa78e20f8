import { cleanup, fireEvent, render, screen } from "@testing-library/react";
import { afterEach, describe, expect, it } from "vitest";
import { applyTheme, saveTheme, storedTheme, THEME_KEY } from "./theme";
import { ThemeSwitch } from "./ThemeSwitch";

afterEach(() => {
  cleanup();
  localStorage.clear();
  delete document.documentElement.dataset.theme;
});

describe("theme", () => {
  it("defaults to the system's choice and ignores unknown values", () => {
    expect(storedTheme()).toBe("system");
    localStorage.setItem(THEME_KEY, "purple");
    expect(storedTheme()).toBe("system");
    localStorage.setItem(THEME_KEY, "dark");
    expect(storedTheme()).toBe("dark");
  });

  it("pins light or dark on <html> and forgets the pin for system", () => {
    saveTheme("dark");
    expect(document.documentElement.dataset.theme).toBe("dark");
    expect(localStorage.getItem(THEME_KEY)).toBe("dark");
    saveTheme("system");
    expect(document.documentElement.dataset.theme).toBeUndefined();
    expect(localStorage.getItem(THEME_KEY)).toBeNull();
  });

  it("survives blocked storage", () => {
    const blocked = { getItem: () => { throw new Error("blocked"); } };
    expect(storedTheme(blocked)).toBe("system");
    applyTheme("light");
    expect(document.documentElement.dataset.theme).toBe("light");
  });

  it("is switched with a labelled select that remembers the choice", () => {
    localStorage.setItem(THEME_KEY, "light");
    render(<ThemeSwitch />);
    const select = screen.getByLabelText("Theme") as HTMLSelectElement;
    expect(select.value).toBe("light");
    fireEvent.change(select, { target: { value: "dark" } });
    expect(document.documentElement.dataset.theme).toBe("dark");
    expect(localStorage.getItem(THEME_KEY)).toBe("dark");
  });
});
