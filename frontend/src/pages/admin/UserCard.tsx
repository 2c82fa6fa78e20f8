/**
 * One user of the users page as a card (it wraps on a phone instead of scrolling sideways),
 * with the editor of their roles per system, activation and (for superusers) the admin flag.
 */
import { useState, type FormEvent } from "react";
import type { Schemas } from "../../api/client";
import { useAuth, useUser } from "../../auth/AuthContext";
import { SYSTEM_ROLES } from "../../auth/roles";
import { Checkbox, ErrorMessage, Notice, SelectField } from "../../components/ui";
import { formatDate, t } from "../../i18n";
import { roleLabel } from "../../i18n/labels";

export type User = Schemas["UserRead"];

interface CardProps {
  user: User;
  systems: string[];
  open: boolean;
  onToggle: () => void;
  onSaved: (u: User) => void;
}

function globalRole(user: User): string {
  if (user.is_superuser) return t("admin.users.global.superuser");
  return user.is_admin ? t("admin.users.global.admin") : t("admin.users.global.user");
}

function systemRoles(user: User): string {
  const roles = Object.entries(user.systems);
  if (!roles.length) return t("admin.users.noSystemRoles");
  return roles.map(([system, role]) => t("admin.users.systemRole", { system, role: roleLabel(String(role)) })).join(", ");
}

/** An e-mail address that a narrow screen wraps before the "@" rather than mid-word. */
function breakable(email: string) {
  const at = email.lastIndexOf("@");
  if (at <= 0) return email;
  return (
    <>
      {email.slice(0, at)}
      <wbr />
      {email.slice(at)}
    </>
  );
}

export function UserCard({ user, systems, open, onToggle, onSaved }: CardProps) {
  const status = user.is_active ? t("admin.users.active") : t("admin.users.inactive");
  return (
    <li className={user.is_active ? "user-card" : "user-card inactive"}>
      <div className="user-who">
        <h2 className="user-name" title={user.display_name}>{user.display_name}</h2>
        <p className="user-handle">
          <span className="mono">@{user.username}</span> <span className="user-email">{breakable(user.email)}</span>
        </p>
      </div>
      <dl className="user-facts">
        <div>
          <dt>{t("admin.users.global")}</dt>
          <dd>{globalRole(user)}</dd>
        </div>
        <div>
          <dt>{t("admin.users.systems")}</dt>
          <dd>{systemRoles(user)}</dd>
        </div>
        <div>
          <dt>{t("admin.users.status")}</dt>
          <dd>{user.mfa_enabled ? `${status}, ${t("admin.users.mfa")}` : status}</dd>
        </div>
        <div>
          <dt>{t("admin.users.joined")}</dt>
          <dd>
            <time dateTime={user.created_at}>{formatDate(user.created_at)}</time>
          </dd>
        </div>
      </dl>
      <div className="user-actions">
        <button type="button" onClick={onToggle} aria-expanded={open}
          aria-label={t(open ? "admin.users.closeLabel" : "admin.users.editLabel", { name: user.username })}>
          {open ? t("common.close") : t("common.edit")}
        </button>
      </div>
      {open ? <RoleEditor user={user} systems={systems} onSaved={onSaved} /> : null}
    </li>
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
  const name = user.username;

  const saveRoles = async (event: FormEvent) => {
    event.preventDefault();
    setError(null);
    setDone(null);
    try {
      const body = Object.entries(roles)
        .filter(([, role]) => role)
        .map(([system, role]) => ({ system, role: role as (typeof SYSTEM_ROLES)[number] }));
      onSaved(await api.put("/api/admin/users/{user_id}/roles", { path: { user_id: user.id }, body }));
      setDone(t("admin.users.rolesSaved", { name }));
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
      setDone(t("admin.users.accountSaved", { name }));
    } catch (err) {
      setError(err);
    }
  };

  const options = [
    { value: "", label: t("admin.users.noRole") },
    ...SYSTEM_ROLES.filter((r) => r !== "user").map((r) => ({ value: r, label: roleLabel(r) })),
  ];
  return (
    <div className="editor user-editor">
      <ErrorMessage error={error} />
      {done ? <Notice>{done}</Notice> : null}
      <form onSubmit={saveRoles} aria-label={t("admin.users.rolesForm", { name })}>
        <div className="row">
          {systems.map((s) => (
            <SelectField key={s} label={t("admin.users.roleIn", { system: s })} options={options} value={roles[s] ?? ""}
              onChange={(e) => setRoles({ ...roles, [s]: e.target.value })} />
          ))}
        </div>
        <button type="submit" className="primary">{t("admin.users.saveRoles")}</button>
      </form>
      <form onSubmit={saveFlags} aria-label={t("admin.users.accountForm", { name })}>
        <Checkbox label={t("admin.users.activeBox")} checked={active} onChange={(e) => setActive(e.target.checked)} />
        {me.is_superuser && !user.is_superuser ? (
          <Checkbox label={t("admin.users.adminBox")} checked={admin} onChange={(e) => setAdmin(e.target.checked)} />
        ) : null}
        <button type="submit">{t("admin.users.saveAccount")}</button>
      </form>
    </div>
  );
}
