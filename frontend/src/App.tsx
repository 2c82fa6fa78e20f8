/** Which page to show: signed-out pages, the signed-in layout, admin pages for admins. */
import { useEffect, type ReactNode } from "react";
import { useAuth } from "./auth/AuthContext";
import { isGlobalAdmin, isSystemAdminAnywhere } from "./auth/roles";
import { Layout } from "./components/Layout";
import { ErrorMessage, Loading } from "./components/ui";
import { t } from "./i18n";
import { AccountPage } from "./pages/AccountPage";
import { AuditPage } from "./pages/admin/AuditPage";
import { OpsPage } from "./pages/admin/OpsPage";
import { SlaPage } from "./pages/admin/SlaPage";
import { UsersPage } from "./pages/admin/UsersPage";
import { WorkflowsPage } from "./pages/admin/WorkflowsPage";
import { NewTicketPage } from "./pages/NewTicketPage";
import { NotFoundPage } from "./pages/NotFoundPage";
import { NotificationsPage } from "./pages/NotificationsPage";
import { RegisterPage } from "./pages/RegisterPage";
import { SignInPage } from "./pages/SignInPage";
import { TicketListPage } from "./pages/TicketListPage";
import { TicketPage } from "./pages/TicketPage";
import { useRouter } from "./router";
import { ThemeSwitch } from "./theme/ThemeSwitch";
import { isAdminRoute, isPublic, type Route } from "./routes";


function Redirect({ to }: { to: string }) {
  const { navigate } = useRouter();
  useEffect(() => navigate(to, { replace: true }), [navigate, to]);
  return null;
}

function signedInPage(route: Route): ReactNode {
  switch (route.name) {
    case "home":
    case "login":
    case "register":
      return <Redirect to="/tickets" />;
    case "tickets":
      return <TicketListPage />;
    case "new-ticket":
      return <NewTicketPage />;
    case "ticket":
      return <TicketPage id={route.id} />;
    case "notifications":
      return <NotificationsPage />;
    case "account":
      return <AccountPage />;
    case "admin-users":
      return <UsersPage />;
    case "admin-workflows":
      return <WorkflowsPage />;
    case "admin-audit":
      return <AuditPage />;
    case "admin-ops":
      return <OpsPage />;
    case "admin-sla":
      return <SlaPage />;
    case "not-found":
      return <NotFoundPage />;
  }
}

export function App() {
  const { user, loadError, reloadUser } = useAuth();
  const { route, location } = useRouter();

  useEffect(() => {
    document.title = `${t(`common.title.${route.name}`)} · ${t("common.appName")}`;
  }, [route.name]);

  if (user === undefined) {
    return (
      <main className="centered">
        {loadError ? (
          <ErrorMessage
            error={loadError}
            message={t("common.accountFailed", { error: String(loadError) })}
            onRetry={() => void reloadUser()}
          />
        ) : (
          <Loading what={t("common.loadingAccount")} />
        )}
      </main>
    );
  }
  if (user === null) {
    const page =
      route.name === "register" ? <RegisterPage /> : route.name === "login" ? <SignInPage /> : null;
    if (page || isPublic(route)) {
      return (
        <>
          {page ?? <NotFoundPage signedIn={false} />}
          <footer className="public-tools">
            <ThemeSwitch />
          </footer>
        </>
      );
    }
    const next = location.pathname === "/" ? "" : `?next=${encodeURIComponent(location.pathname)}`;
    return <Redirect to={`/login${next}`} />;
  }
  // A system's own admins may edit its SLA policy; the other admin pages are global admins'.
  const forbidden =
    isAdminRoute(route) &&
    !isGlobalAdmin(user) &&
    !(route.name === "admin-sla" && isSystemAdminAnywhere(user));
  return (
    <Layout>
      {forbidden ? (
        <section>
          <h1>{t("common.adminsOnly")}</h1>
          <p>{t("common.adminsOnlyText")}</p>
        </section>
      ) : (
        signedInPage(route)
      )}
    </Layout>
  );
}
