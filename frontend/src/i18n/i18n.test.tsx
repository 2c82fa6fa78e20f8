import { afterEach, describe, expect, it } from "vitest";
import { formatDateTime, formatNumber, formatRelative, setTextLocale, t, tn } from "./index";
import { stateLabel } from "./labels";
import { browserLocale, saveLocale, storedLocale } from "./locale";
import { de, en } from "./messages";

afterEach(() => setTextLocale("en"));

describe("catalogues", () => {
  it("give German every English key, none empty, with the same placeholders", () => {
    expect(Object.keys(de).sort()).toEqual(Object.keys(en).sort());
    const holes = (text: string) => (text.match(/\{\w+\}/g) ?? []).sort();
    for (const [key, text] of Object.entries(en)) {
      const german = de[key as keyof typeof de];
      expect(german.trim(), key).not.toBe("");
      expect(holes(german), key).toEqual(holes(text));
    }
  });

  it("name each key by its area", () => {
    for (const key of Object.keys(en)) {
      expect(key).toMatch(/^(common|list|ticket|account|notifications|admin)\.[\w.-]+$/);
    }
  });
});

describe("t and tn", () => {
  it("fill placeholders and switch language", () => {
    expect(t("common.pager.range", { from: 1, to: 25, total: 1200 })).toBe("1–25 of 1,200");
    setTextLocale("de");
    expect(t("common.pager.range", { from: 1, to: 25, total: 1200 })).toBe("1–25 von 1.200");
    expect(document.documentElement.lang).toBe("de");
  });

  it("choose the counted form by the language's plural rules", () => {
    expect(tn("common.error.retryIn", 1)).toBe("Try again in 1 second.");
    expect(tn("common.error.retryIn", 5)).toBe("Try again in 5 seconds.");
    setTextLocale("de");
    expect(tn("common.error.retryIn", 1)).toBe("Versuchen Sie es in 1 Sekunde noch einmal.");
  });

  it("word the shipped states and tidy a workflow's own", () => {
    expect(stateLabel("in_progress")).toBe("In progress");
    expect(stateLabel("needs_parts")).toBe("Needs parts");
    setTextLocale("de");
    expect(stateLabel("in_progress")).toBe("In Bearbeitung");
  });
});

describe("formats", () => {
  const at = new Date(Date.UTC(2026, 11, 4, 13, 5));

  it("write numbers and dates the locale's way", () => {
    expect(formatNumber(1234.5)).toBe("1,234.5");
    setTextLocale("de");
    expect(formatNumber(1234.5)).toBe("1.234,5");
    expect(formatDateTime(at)).toMatch(/^04\.12\.2026, \d\d:05$/);
    expect(formatDateTime("not a date")).toBe("not a date");
  });

  it("say how far away a moment is", () => {
    const now = new Date(at.getTime() - 3 * 3_600_000);
    expect(formatRelative(at, now)).toBe("in 3 hours");
    setTextLocale("de");
    expect(formatRelative(at, now)).toBe("in 3 Stunden");
    expect(formatRelative(now, at)).toBe("vor 3 Stunden");
  });
});

describe("the language", () => {
  it("comes from the browser's first shipped language, else English", () => {
    expect(browserLocale(["fr-FR", "de-AT", "en"])).toBe("de");
    expect(browserLocale(["fr"])).toBe("en");
    expect(browserLocale([])).toBe("en");
  });

  it("is remembered when chosen and forgotten when following the browser again", () => {
    const store = new Map<string, string>();
    const storage = {
      getItem: (k: string) => store.get(k) ?? null,
      setItem: (k: string, v: string) => void store.set(k, v),
      removeItem: (k: string) => void store.delete(k),
    };
    saveLocale("de", storage);
    expect(storedLocale(storage)).toBe("de");
    saveLocale(null, storage);
    expect(storedLocale(storage)).toBeNull();
    store.set("servicedesk.locale", "xx");
    expect(storedLocale(storage)).toBeNull();
  });
});

describe("tx", () => {
  it("puts elements where the translation puts their placeholder", async () => {
    const { render } = await import("@testing-library/react");
    const { tx } = await import("./index");
    setTextLocale("de");
    const { container } = render(<p>{tx("common.notFound.text", { path: <code>/x</code> })}</p>);
    expect(container.innerHTML).toBe("<p>Unter <code>/x</code> gibt es keine Seite.</p>");
  });
});
