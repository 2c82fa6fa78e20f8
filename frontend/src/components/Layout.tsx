/** The signed-in frame: navigation (with the unread count), sign out, the page. */
import { useEffect, useRef, useState, type ReactNode } from "react";
import { useAuth, useUser } from "../auth/AuthContext";
import { isGlobalAdmin, isSystemAdminAnywhere } from "../auth/roles";
import { Link, useRouter } from "../router";
import { t } from "../i18n";
import { ThemeSwitch } from "../theme/ThemeSwitch";
import { unreadEvents, UNREAD_CHANGED } from "./unread";

const POLL_MS = 15_000;

function useUnreadCount(): number | null {
  const { api } = useAuth();
  const { location } = useRouter();
  const [count, setCount] = useState<number | null>(null);
  useEffect(() => {
    let cancelled = false;
    const load = async () => {
      try {
        const { unread } = await api.get("/api/notifications/unread-count");
        if (!cancelled) setCount(unread);
      } catch {
        /* the badge is a hint; the inbox page shows errors */
      }
    };
    void load();
    const timer = window.setInterval(() => void load(), POLL_MS);
    unreadEvents.addEventListener(UNREAD_CHANGED, load);
    return () => {
      cancelled = true;
      window.clearInterval(timer);
      unreadEvents.removeEventListener(UNREAD_CHANGED, load);
    };
  }, [api, location.pathname]);
  return count;
}

/** `/tickets/new` is its own page, not one of the tickets. */
export function isCurrent(to: string, pathname: string): boolean {
  if (to === "/tickets") return pathname === to || /^\/tickets\/\d+$/.test(pathname);
  return pathname === to || pathname.startsWith(`${to}/`);
}

function NavLink({ to, children }: { to: string; children: ReactNode }) {
  const { location } = useRouter();
  const current = isCurrent(to, location.pathname);
  return (
    <Link to={to} aria-current={current ? "page" : undefined}>
      {children}
    </Link>
  );
}

/** After a move to another page, focus its <main>, so a screen reader starts there. */
function useFocusOnNavigation() {
  const { location } = useRouter();
  const main = useRef<HTMLElement>(null);
  const previous = useRef(location.pathname);
  useEffect(() => {
    if (previous.current === location.pathname) return;
    previous.current = location.pathname;
    main.current?.focus({ preventScroll: true });
  }, [location.pathname]);
  return main;
}

export function Layout({ children }: { children: ReactNode }) {
  const user = useUser();
  const { signOut } = useAuth();
  const { navigate } = useRouter();
  const main = useFocusOnNavigation();
  const unread = useUnreadCount();
  const [signingOut, setSigningOut] = useState(false);

  const onSignOut = async () => {
    setSigningOut(true);
    try {
      await signOut();
    } finally {
      setSigningOut(false);
      navigate("/login", { replace: true });
    }
  };

  return (
    <>
      <a className="skip-link" href="#main">
        {t("common.nav.skip")}
      </a>
      <header className="topbar">
        <Link to="/tickets" className="brand">
          {t("common.appName")}
        </Link>
        <nav aria-label={t("common.nav.main")}>
          <ul>
            <li>
              <NavLink to="/tickets">{t("common.nav.tickets")}</NavLink>
            </li>
            <li>
              <NavLink to="/tickets/new">{t("common.nav.newTicket")}</NavLink>
            </li>
            <li>
              <NavLink to="/notifications">
                {t("common.nav.notifications")}
                {unread ? (
                  <span className="count" aria-label={t("common.nav.unread", { count: unread })}>
                    {unread}
                  </span>
                ) : null}
              </NavLink>
            </li>
            {isGlobalAdmin(user) ? (
              <>
                <li>
                  <NavLink to="/admin/users">{t("common.nav.users")}</NavLink>
                </li>
                <li>
                  <NavLink to="/admin/workflows">{t("common.nav.workflows")}</NavLink>
                </li>
                <li>
                  <NavLink to="/admin/audit">{t("common.nav.audit")}</NavLink>
                </li>
                <li>
                  <NavLink to="/admin/ops">{t("common.nav.ops")}</NavLink>
                </li>
              </>
            ) : null}
            {isSystemAdminAnywhere(user) ? (
              <li>
                <NavLink to="/admin/sla">{t("common.nav.sla")}</NavLink>
              </li>
            ) : null}
          </ul>
        </nav>
        <div className="who">
          <ThemeSwitch />
          <NavLink to="/account">
            <span title={`@${user.username}`}>{user.display_name || user.username}</span>
          </NavLink>
          <button type="button" onClick={() => void onSignOut()} disabled={signingOut}>
            {t("common.nav.signOut")}
          </button>
        </div>
      </header>
      <main id="main" tabIndex={-1} ref={main}>
        {children}
      </main>
    </>
  );
}
