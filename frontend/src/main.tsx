import { StrictMode } from "react";
import { createRoot } from "react-dom/client";
import { App } from "./App";
import { AuthProvider, createSession } from "./auth/AuthContext";
import { I18nProvider } from "./i18n";
import { RouterProvider } from "./router";
import "./app.css";
import { applyTheme, storedTheme } from "./theme/theme";

applyTheme(storedTheme()); // before the first paint, so a dark page never flashes light

const root = document.getElementById("root");
if (!root) throw new Error("no #root element");
createRoot(root).render(
  <StrictMode>
    <RouterProvider>
      <AuthProvider session={createSession()}>
        <I18nProvider>
          <App />
        </I18nProvider>
      </AuthProvider>
    </RouterProvider>
  </StrictMode>,
);
