/**
 * The ticket list's keyboard: `j`/`k` move the current row (focus goes to its title link,
 * so a screen reader reads it), `Enter` opens it, `/` goes to the search field, `?` shows
 * the help; for staff, `x` selects the current row and `a` assigns to oneself.
 */
import { useEffect, useState, type RefObject } from "react";
import type { Shortcut } from "../../components/ShortcutHelp";
import { useShortcuts, type ShortcutMap } from "../../components/shortcuts";
import { t } from "../../i18n";
import { lastOpened } from "./lastList";
import { ticketRowId } from "./TicketTable";

/** The list's shortcuts for the help dialog (a function: texts in the current language). */
export function listShortcuts(staff: boolean): Shortcut[] {
  return [
    { keys: ["j"], does: t("list.keys.next") },
    { keys: ["k"], does: t("list.keys.previous") },
    { keys: ["Enter"], does: t("list.keys.open") },
    { keys: ["/"], does: t("list.keys.search") },
    ...(staff
      ? [
          { keys: ["x"], does: t("list.keys.select") },
          { keys: ["a"], does: t("list.keys.assign") },
        ]
      : []),
    { keys: ["?"], does: t("list.keys.help") },
  ];
}

interface Options {
  ids: number[];
  search: RefObject<HTMLInputElement | null>;
  open: (id: number) => void;
  help: (show: boolean) => void;
  /** Staff only: `x` toggles the current ticket's selection. */
  toggle?: (id: number) => void;
  /** Staff only: `a` assigns to oneself (the current ticket's id, if there is one). */
  assignToMe?: (current: number | undefined) => void;
}

function focusRow(id: number) {
  const link = document.querySelector<HTMLElement>(`#${ticketRowId(id)} a`);
  link?.focus();
  link?.scrollIntoView?.({ block: "nearest" });
}

/** The current row's index (-1: none) and a setter for when a row gets focus otherwise. */
export function useListKeys({ ids, search, open, help, toggle, assignToMe }: Options): [number, (index: number) => void] {
  const [current, setCurrent] = useState(-1);
  const key = ids.join(",");
  // A new page of tickets: no current row, unless it holds the ticket just come back from.
  useEffect(() => {
    const opened = lastOpened();
    const index = opened === null ? -1 : ids.indexOf(opened);
    setCurrent(index);
    if (index >= 0) focusRow(opened as number);
    // eslint-disable-next-line react-hooks/exhaustive-deps
  }, [key]);

  const currentId = current >= 0 ? ids[current] : undefined;
  const move = (step: number) => {
    if (!ids.length) return;
    const next = current < 0 ? (step > 0 ? 0 : ids.length - 1) : Math.min(ids.length - 1, Math.max(0, current + step));
    setCurrent(next);
    focusRow(ids[next] as number);
  };
  const keys: ShortcutMap = {
    j: () => move(1),
    k: () => move(-1),
    Enter: (event) => {
      // A focused link or button opens itself; Enter elsewhere opens the current row.
      const target = event.target as HTMLElement | null;
      if (target?.closest("a, button, input") || currentId === undefined) return;
      event.preventDefault();
      open(currentId);
    },
    "/": (event) => {
      event.preventDefault();
      search.current?.focus();
    },
    "?": (event) => {
      event.preventDefault();
      help(true);
    },
  };
  if (toggle) keys.x = () => currentId !== undefined && toggle(currentId);
  if (assignToMe) keys.a = () => assignToMe(currentId);
  useShortcuts(keys);
  return [current, setCurrent];
}
