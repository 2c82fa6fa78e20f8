/**
 * Users and their roles: a search by name, username or e-mail (typed, it runs after a short
 * pause; it stands in the address as `?q=`, so it can be bookmarked), a sort (newest first
 * unless chosen otherwise), 50 a page, each user a card with the editor of their roles.
 */
import { useCallback, useEffect, useRef, useState, type FormEvent } from "react";
import { useAuth } from "../../auth/AuthContext";
import { ErrorMessage, Loading, Pager, SelectField, TextField } from "../../components/ui";
import { useAsync } from "../../components/useAsync";
import { t, tn } from "../../i18n";
import { useRouter } from "../../router";
import { UserCard, type User } from "./UserCard";
import { MAX_Q, PAGE, readUserQuery, SORTS, sortLabel, userQueryUrl, type UserQuery, type UserSort } from "./userQuery";
import "./admin.css";

/** How long typing pauses before the search runs. */
export const SEARCH_DELAY_MS = 300;

export function UsersPage() {
  const { api } = useAuth();
  const { location, navigate } = useRouter();
  const query = readUserQuery(location.search);
  const [draft, setDraft] = useState(query.q);
  const [editing, setEditing] = useState<string | null>(null);
  const box = useRef<HTMLInputElement>(null);

  // Changes merge into the address as it is when they happen (a pending search may fire late).
  const go = useCallback(
    (change: Partial<UserQuery>) => {
      const now = readUserQuery(new URLSearchParams(window.location.search));
      navigate(userQueryUrl({ ...now, offset: 0, ...change }), { replace: true });
    },
    [navigate],
  );

  useEffect(() => {
    const q = draft.trim();
    if (q === query.q) return;
    const timer = window.setTimeout(() => go({ q }), SEARCH_DELAY_MS);
    return () => window.clearTimeout(timer);
  }, [draft, query.q, go]);

  // The address changed by other means (a link, back): the box follows it.
  useEffect(() => setDraft((text) => (text.trim() === query.q ? text : query.q)), [query.q]);

  const users = useAsync(
    async () => {
      const { q, sort, offset } = query;
      const page = await api.get("/api/users", { query: { q: q || undefined, sort, limit: PAGE, offset } });
      return { q, page };
    },
    [api, query.q, query.sort, query.offset],
  );
  const systems = useAsync(() => api.get("/api/systems"), [api]);

  const replace = (next: User) =>
    users.setData((found) =>
      found ? { ...found, page: { ...found.page, items: found.page.items.map((u) => (u.id === next.id ? next : u)) } } : found,
    );

  const submit = (event: FormEvent) => {
    event.preventDefault();
    go({ q: draft.trim() });
  };
  const clear = () => {
    setDraft("");
    go({ q: "" });
    box.current?.focus(); // the button goes away with the empty state
  };

  const found = users.data;
  const systemNames = (systems.data ?? []).map((s) => s.name);
  return (
    <section aria-labelledby="users-title">
      <h1 id="users-title">{t("common.title.admin-users")}</h1>
      <form className="filters user-search" role="search" aria-label={t("admin.users.searchForm")} onSubmit={submit}>
        <TextField ref={box} label={t("admin.users.search")} hint={t("admin.users.searchHint")} type="search" name="q"
          maxLength={MAX_Q} autoComplete="off" spellCheck={false} value={draft} onChange={(e) => setDraft(e.target.value)} />
        <SelectField label={t("admin.users.sort")} name="sort" value={query.sort}
          options={SORTS.map((s) => ({ value: s, label: sortLabel(s) }))}
          onChange={(e) => go({ sort: e.target.value as UserSort })} />
        <div className="filter-buttons">
          <button type="submit" className="primary">{t("admin.users.searchButton")}</button>
        </div>
      </form>
      <ErrorMessage
        error={users.error ?? systems.error}
        onRetry={() => {
          if (users.error) void users.reload();
          if (systems.error) void systems.reload();
        }}
      />
      {users.loading && !found ? <Loading what={t("admin.users.loading")} /> : null}
      {found && !users.error ? (
        <>
          {/* One live region: the count, or the empty state that names the search. */}
          <div role="status">
            {found.page.total ? (
              <p className="muted result-count">
                {found.q ? tn("admin.users.matching", found.page.total, { q: found.q }) : tn("admin.users.count", found.page.total)}
              </p>
            ) : (
              <Empty q={found.q} onClear={clear} />
            )}
          </div>
          {found.page.items.length === 0 ? null : (
            <ul className="user-list" aria-label={t("admin.users.list")} aria-busy={users.loading || undefined}>
              {found.page.items.map((u) => (
                <UserCard key={u.id} user={u} systems={systemNames} open={editing === u.id}
                  onToggle={() => setEditing(editing === u.id ? null : u.id)} onSaved={replace} />
              ))}
            </ul>
          )}
          <Pager label={t("admin.users.pages")} offset={query.offset} limit={PAGE} total={found.page.total}
            onChange={(offset) => go({ offset })} />
        </>
      ) : null}
    </section>
  );
}

function Empty({ q, onClear }: { q: string; onClear: () => void }) {
  if (!q) return <p className="empty">{t("admin.users.noUsers")}</p>;
  return (
    <div className="empty-state">
      <p className="empty">{t("admin.users.noMatch", { q })}</p>
      <p className="muted">{t("admin.users.noMatchHint")}</p>
      <button type="button" onClick={onClear}>{t("admin.users.clear")}</button>
    </div>
  );
}
