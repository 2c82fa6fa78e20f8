/** Users and their roles per system; activation and (for superusers) the admin flag. */
import { useState, type FormEvent } from "react";
import type { Schemas } from "../../api/client";
import { useAuth, useUser } from "../../auth/AuthContext";
import { SYSTEM_ROLES } from "../../auth/roles";
import { useAsync } from "../../components/useAsync";
import { Checkbox, ErrorMessage, humanise, Loading, Notice, Pager, SelectField, TableScroll } from "../../components/ui";

type User = Schemas["UserRead"];
const PAGE = 25;

export function UsersPage() {
  const { api } = useAuth();
  const [offset, setOffset] = useState(0);
  const [editing, setEditing] = useState<string | null>(null);
  const users = useAsync(() => api.get("/api/users", { query: { limit: PAGE, offset } }), [api, offset]);
  const systems = useAsync(() => api.get("/api/systems"), [api]);

  const replace = (next: User) =>
    users.setData((page) =>
      page ? { ...page, items: page.items.map((u) => (u.id === next.id ? next : u)) } : page,
    );

  const page = users.data;
  return (
    <section aria-labelledby="users-title">
      <h1 id="users-title">Users and roles</h1>
      <ErrorMessage
        error={users.error ?? systems.error}
        onRetry={() => {
          if (users.error) void users.reload();
          if (systems.error) void systems.reload();
        }}
      />
      {users.loading && !page ? <Loading what="users" /> : null}
      {page && !users.error ? (
        <>
          <TableScroll label="Users">
          <table className="table">
            <caption className="visually-hidden">Users, oldest first ({page.total} in all)</caption>
            <thead>
              <tr>
                <th scope="col">Username</th>
                <th scope="col">Email</th>
                <th scope="col">Global</th>
                <th scope="col">Roles per system</th>
                <th scope="col">Active</th>
                <th scope="col">
                  <span className="visually-hidden">Actions</span>
                </th>
              </tr>
            </thead>
            <tbody>
              {page.items.map((u) => (
                <UserRow
                  key={u.id}
                  user={u}
                  systems={(systems.data ?? []).map((s) => s.name)}
                  open={editing === u.id}
                  onToggle={() => setEditing(editing === u.id ? null : u.id)}
                  onSaved={replace}
                />
              ))}
            </tbody>
          </table></TableScroll>
          <Pager label="User pages" offset={offset} limit={PAGE} total={page.total} onChange={setOffset} />
        </>
      ) : null}
    </section>
  );
}

interface RowProps {
  user: User;
  systems: string[];
  open: boolean;
  onToggle: () => void;
  onSaved: (u: User) => void;
}

function UserRow({ user, systems, open, onToggle, onSaved }: RowProps) {
  const global = user.is_superuser ? "Superuser" : user.is_admin ? "Admin" : "User";
  const roles = Object.entries(user.systems);
  return (
    <>
      <tr>
        <th scope="row">{user.username}</th>
        <td>{user.email}</td>
        <td>{global}</td>
        <td>{roles.length ? roles.map(([s, r]) => `${s}: ${humanise(String(r))}`).join(", ") : "—"}</td>
        <td>{user.is_active ? "Yes" : "No"}</td>
        <td>
          <button type="button" onClick={onToggle} aria-expanded={open}
            aria-label={`${open ? "Close" : "Edit"} ${user.username}`}>
            {open ? "Close" : "Edit"}
          </button>
        </td>
      </tr>
      {open ? (
        <tr className="editor-row">
          <td colSpan={6}>
            <RoleEditor user={user} systems={systems} onSaved={onSaved} />
          </td>
        </tr>
      ) : null}
    </>
  );
}

function RoleEditor({ user, systems, onSaved }: { user: User; systems: string[]; onSaved: (u: User) => void }) {
  const { api } = useAuth();
  const me = useUser();
  const [roles, setRoles] = useState<Record<string, string>>(() =>
    Object.fromEntries(systems.map((s) => [s, String(user.systems[s] ?? "")])),
  );
  const [active, setActive] = useState(user.is_active);
  const [admin, setAdmin] = useState(user.is_admin && !user.is_superuser);
  const [error, setError] = useState<unknown>(null);
  const [done, setDone] = useState<string | null>(null);

  const saveRoles = async (event: FormEvent) => {
    event.preventDefault();
    setError(null);
    setDone(null);
    try {
      const body = Object.entries(roles)
        .filter(([, role]) => role)
        .map(([system, role]) => ({ system, role: role as (typeof SYSTEM_ROLES)[number] }));
      onSaved(await api.put("/api/admin/users/{user_id}/roles", { path: { user_id: user.id }, body }));
      setDone(`Roles of ${user.username} saved.`);
    } catch (err) {
      setError(err);
    }
  };

  const saveFlags = async (event: FormEvent) => {
    event.preventDefault();
    setError(null);
    setDone(null);
    try {
      const body: Schemas["UserUpdate"] = { is_active: active };
      if (me.is_superuser && !user.is_superuser) body.is_admin = admin;
      onSaved(await api.patch("/api/users/{user_id}", { path: { user_id: user.id }, body }));
      setDone(`Account of ${user.username} saved.`);
    } catch (err) {
      setError(err);
    }
  };

  const options = [{ value: "", label: "No role (user)" }, ...SYSTEM_ROLES.filter((r) => r !== "user").map((r) => ({ value: r, label: humanise(r) }))];
  return (
    <div className="editor">
      <ErrorMessage error={error} />
      {done ? <Notice>{done}</Notice> : null}
      <form onSubmit={saveRoles} aria-label={`Roles of ${user.username}`}>
        <div className="row">
          {systems.map((s) => (
            <SelectField key={s} label={`Role in ${s}`} options={options} value={roles[s] ?? ""}
              onChange={(e) => setRoles({ ...roles, [s]: e.target.value })} />
          ))}
        </div>
        <button type="submit" className="primary">Save roles</button>
      </form>
      <form onSubmit={saveFlags} aria-label={`Account of ${user.username}`}>
        <Checkbox label="Active (may sign in)" checked={active} onChange={(e) => setActive(e.target.checked)} />
        {me.is_superuser && !user.is_superuser ? (
          <Checkbox label="Global administrator" checked={admin} onChange={(e) => setAdmin(e.target.checked)} />
        ) : null}
        <button type="submit">Save account</button>
      </form>
    </div>
  );
}
