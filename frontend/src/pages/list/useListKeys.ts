/**
 * The ticket list's keyboard: `j`/`k` move the current row (focus goes to its title link,
 * so a screen reader reads it), `Enter` opens it, `/` goes to the search field, `?` shows
 * the help. Bulk `x`/`a` come with bulk actions.
 */
import { useEffect, useState, type RefObject } from "react";
import type { Shortcut } from "../../components/ShortcutHelp";
import { useShortcuts } from "../../components/shortcuts";
import { lastOpened } from "./lastList";
import { ticketRowId } from "./TicketTable";

export const LIST_SHORTCUTS: Shortcut[] = [
  { keys: ["j"], does: "Next ticket" },
  { keys: ["k"], does: "Previous ticket" },
  { keys: ["Enter"], does: "Open the current ticket" },
  { keys: ["/"], does: "Search" },
  { keys: ["?"], does: "Show these shortcuts" },
];

interface Options {
  ids: number[];
  search: RefObject<HTMLInputElement | null>;
  open: (id: number) => void;
  help: (show: boolean) => void;
}

function focusRow(id: number) {
  const link = document.querySelector<HTMLElement>(`#${ticketRowId(id)} a`);
  link?.focus();
  link?.scrollIntoView?.({ block: "nearest" });
}

/** The current row's index (-1: none) and a setter for when a row gets focus otherwise. */
export function useListKeys({ ids, search, open, help }: Options): [number, (index: number) => void] {
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

  const move = (step: number) => {
    if (!ids.length) return;
    const next = current < 0 ? (step > 0 ? 0 : ids.length - 1) : Math.min(ids.length - 1, Math.max(0, current + step));
    setCurrent(next);
    focusRow(ids[next] as number);
  };
  useShortcuts({
    j: () => move(1),
    k: () => move(-1),
    Enter: (event) => {
      // A focused link or button opens itself; Enter elsewhere opens the current row.
      const target = event.target as HTMLElement | null;
      if (target?.closest("a, button") || current < 0 || ids[current] === undefined) return;
      event.preventDefault();
      open(ids[current] as number);
    },
    "/": (event) => {
      event.preventDefault();
      search.current?.focus();
    },
    "?": (event) => {
      event.preventDefault();
      help(true);
    },
  });
  return [current, setCurrent];
}
