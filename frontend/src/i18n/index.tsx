/**
 * Texts and formats in the reader's language.
 *
 * `t("area.key", { name })` gives a text of the catalogue; `tn("area.key", count)` the
 * counted one ("_one"/"_other"); `formatDateTime`, `formatDate`, `formatNumber` and
 * `formatRelative` use `Intl` in the same locale. They read one module-level locale, so
 * they work in components and plain functions alike; `I18nProvider` sets it and remounts
 * the app when it changes, which redraws every text (switching languages is rare).
 */
import { createContext, Fragment, useCallback, useContext, useMemo, useState, type ReactNode } from "react";
import { browserLocale, saveLocale, storedLocale, type Locale } from "./locale";
import { de, en, type MessageKey } from "./messages";

export type { MessageKey } from "./messages";
export { LOCALES, LOCALE_NAMES, type Locale } from "./locale";

const CATALOGUES: Record<Locale, Record<MessageKey, string>> = { en, de };

let current: Locale = "en";

export function getLocale(): Locale {
  return current;
}

/** Speak `locale` from now on (tests call this; the app goes through `I18nProvider`). */
export function setTextLocale(locale: Locale): void {
  current = locale;
  if (typeof document !== "undefined") document.documentElement.lang = locale;
}

type Params = Record<string, string | number>;

function fill(text: string, params?: Params): string {
  if (!params) return text;
  return text.replace(/\{(\w+)\}/g, (whole, name: string) => {
    const value = params[name];
    if (value === undefined) return whole;
    return typeof value === "number" ? formatNumber(value) : value;
  });
}

/** The text for `key` in the current language, with `{name}` placeholders filled. */
export function t(key: MessageKey, params?: Params): string {
  return fill(CATALOGUES[current][key] ?? en[key] ?? key, params);
}

/**
 * The text for `key` with placeholders filled by elements (a link, a code span): the
 * parts to render, in the catalogue's order, so a translation can move them.
 */
export function tx(key: MessageKey, parts: Record<string, ReactNode>): ReactNode[] {
  const text = CATALOGUES[current][key] ?? en[key] ?? key;
  return text.split(/(\{\w+\})/).map((piece, i) => {
    const name = /^\{(\w+)\}$/.exec(piece)?.[1];
    const part = name !== undefined && name in parts ? parts[name] : piece;
    return <Fragment key={i}>{part}</Fragment>;
  });
}

type Counted = MessageKey extends infer K ? (K extends `${infer Base}_other` ? Base : never) : never;

/** The counted text for `count` (`{count}` is filled, formatted for the locale). */
export function tn(key: Counted, count: number, params?: Params): string {
  const form = new Intl.PluralRules(current).select(count) === "one" ? "one" : "other";
  return t(`${key}_${form}` as MessageKey, { count, ...params });
}

/** Whether the catalogue has `key` (for texts chosen by data, such as a state's label). */
export function hasText(key: string): key is MessageKey {
  return key in en;
}

const formats = new Map<string, Intl.DateTimeFormat | Intl.NumberFormat | Intl.RelativeTimeFormat>();

function cached<F>(kind: string, make: () => F): F {
  const id = `${current}|${kind}`;
  let format = formats.get(id) as F | undefined;
  if (!format) {
    format = make();
    formats.set(id, format as never);
  }
  return format;
}

function asDate(value: string | Date): Date | null {
  const date = typeof value === "string" ? new Date(value) : value;
  return Number.isNaN(date.getTime()) ? null : date;
}

/** "4 Dec 2026, 14:05" / "04.12.2026, 14:05"; an unreadable value is shown as it came. */
export function formatDateTime(value: string | Date): string {
  const date = asDate(value);
  if (!date) return String(value);
  return cached("datetime", () => new Intl.DateTimeFormat(current, { dateStyle: "medium", timeStyle: "short" })).format(date);
}

export function formatDate(value: string | Date): string {
  const date = asDate(value);
  if (!date) return String(value);
  return cached("date", () => new Intl.DateTimeFormat(current, { dateStyle: "medium" })).format(date);
}

export function formatNumber(value: number): string {
  return cached("number", () => new Intl.NumberFormat(current)).format(value);
}

const UNITS: [Intl.RelativeTimeFormatUnit, number][] = [
  ["day", 86_400],
  ["hour", 3_600],
  ["minute", 60],
];

/** "in 3 hours" / "vor 5 Minuten", from `now`; under a minute reads "now" / "jetzt". */
export function formatRelative(value: string | Date, now: Date = new Date()): string {
  const date = asDate(value);
  if (!date) return String(value);
  const seconds = Math.round((date.getTime() - now.getTime()) / 1000);
  const format = cached("relative", () => new Intl.RelativeTimeFormat(current, { numeric: "auto" }));
  for (const [unit, size] of UNITS) {
    if (Math.abs(seconds) >= size) return format.format(Math.trunc(seconds / size), unit);
  }
  return format.format(0, "second");
}

interface LocaleState {
  locale: Locale;
  /** The reader's own choice, or null while following the browser. */
  chosen: Locale | null;
  choose: (locale: Locale | null) => void;
}

const LocaleContext = createContext<LocaleState>({ locale: "en", chosen: null, choose: () => {} });

export function useLocale(): LocaleState {
  return useContext(LocaleContext);
}

/** Picks the language (stored choice, else the browser's) and redraws the app on a change. */
export function I18nProvider({ children }: { children: ReactNode }) {
  const [chosen, setChosen] = useState<Locale | null>(() => storedLocale());
  const locale = chosen ?? browserLocale();
  setTextLocale(locale); // before the children render, so they read the new language
  const choose = useCallback((next: Locale | null) => {
    saveLocale(next);
    setChosen(next);
  }, []);
  const state = useMemo(() => ({ locale, chosen, choose }), [locale, chosen, choose]);
  return (
    <LocaleContext.Provider value={state}>
      <Fragment key={locale}>{children}</Fragment>
    </LocaleContext.Provider>
  );
}
