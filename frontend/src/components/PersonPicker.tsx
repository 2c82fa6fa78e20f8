/**
 * Pick one of a system's staff (`GET /api/people`): an ARIA 1.2 combobox with a listbox
 * popup. Type to search; Down/Up move through the matches, Enter picks, Escape closes.
 * https://www.w3.org/WAI/ARIA/apg/patterns/combobox/examples/combobox-autocomplete-list/
 */
import { useEffect, useId, useState, type KeyboardEvent } from "react";
import type { Schemas } from "../api/client";
import { useAuth } from "../auth/AuthContext";
import { t } from "../i18n";
import { roleLabel } from "../i18n/labels";

export type StaffMember = Schemas["StaffMember"];

const DEBOUNCE_MS = 200;

export function staffName(p: StaffMember): string {
  return p.display_name?.trim() || p.username?.trim() || t("ticket.person.unknown");
}

interface Props {
  system: string;
  label: string;
  value: StaffMember | null;
  onChange: (person: StaffMember | null) => void;
}

export function PersonPicker({ system, label, value, onChange }: Props) {
  const { api } = useAuth();
  const id = useId();
  const [text, setText] = useState(value ? staffName(value) : "");
  const [open, setOpen] = useState(false);
  const [items, setItems] = useState<StaffMember[]>([]);
  const [active, setActive] = useState(-1);
  const [error, setError] = useState<string | null>(null);
  const [searching, setSearching] = useState(false);

  useEffect(() => {
    if (!open) return;
    let stale = false;
    const q = text.trim();
    const timer = window.setTimeout(() => {
      setSearching(true);
      api
        .get("/api/people", { query: { system, q: q || undefined, limit: 20 } })
        .then((page) => {
          if (stale) return;
          setItems(page.items);
          setError(null);
          setActive(page.items.length ? 0 : -1);
        })
        .catch(() => {
          if (!stale) setError(t("ticket.picker.failed"));
        })
        .finally(() => {
          if (!stale) setSearching(false);
        });
    }, DEBOUNCE_MS);
    return () => {
      stale = true;
      window.clearTimeout(timer);
    };
  }, [api, system, text, open]);

  const pick = (person: StaffMember) => {
    onChange(person);
    setText(staffName(person));
    setOpen(false);
  };

  const onKeyDown = (event: KeyboardEvent<HTMLInputElement>) => {
    if (event.key === "ArrowDown") {
      event.preventDefault();
      if (!open) setOpen(true);
      else setActive((i) => (items.length ? (i + 1) % items.length : -1));
    } else if (event.key === "ArrowUp") {
      event.preventDefault();
      if (open) setActive((i) => (items.length ? (i - 1 + items.length) % items.length : -1));
    } else if (event.key === "Enter") {
      const chosen = open ? items[active] : undefined;
      if (chosen) {
        event.preventDefault();
        pick(chosen);
      }
    } else if (event.key === "Escape") {
      if (open) {
        event.preventDefault();
        setOpen(false);
      }
    }
  };

  const listId = `${id}-list`;
  const optionId = (i: number) => `${id}-option-${i}`;
  const expanded = open && items.length > 0;
  return (
    <div className="field picker">
      <label htmlFor={id}>{label}</label>
      <input
        id={id}
        type="text"
        role="combobox"
        autoComplete="off"
        aria-autocomplete="list"
        aria-expanded={expanded}
        aria-controls={listId}
        aria-activedescendant={expanded && active >= 0 ? optionId(active) : undefined}
        aria-describedby={`${id}-hint`}
        value={text}
        placeholder={t("ticket.picker.placeholder")}
        onChange={(e) => {
          setText(e.target.value);
          setOpen(true);
          if (value) onChange(null);
        }}
        onFocus={() => setOpen(true)}
        onBlur={() => setOpen(false)}
        onKeyDown={onKeyDown}
      />
      <p className="hint" id={`${id}-hint`}>
        {t("ticket.picker.hint", { system })}
      </p>
      <ul id={listId} role="listbox" aria-label={t("ticket.picker.matches", { label })} className="listbox" hidden={!expanded}>
        {items.map((p, i) => (
          <li
            key={p.id}
            id={optionId(i)}
            role="option"
            aria-selected={i === active}
            className={i === active ? "active" : undefined}
            // mousedown, not click: it comes before the input's blur closes the list.
            onMouseDown={(e) => {
              e.preventDefault();
              pick(p);
            }}
          >
            <span>{staffName(p)}</span>{" "}
            <span className="muted">
              {p.username ? `@${p.username}` : ""} · {roleLabel(p.role)}
            </span>
          </li>
        ))}
      </ul>
      <p className="hint" role="status">
        {open && !searching && !error && items.length === 0 ? t("ticket.picker.none") : ""}
      </p>
      {error ? <p className="field-error">{error}</p> : null}
    </div>
  );
}
