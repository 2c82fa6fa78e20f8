import { StrictMode } from "react";
import { createRoot } from "react-dom/client";
import { App } from "./App";
import { AuthProvider, createSession } from "./auth/AuthContext";
import { RouterProvider } from "./router";
import "./app.css";

const root = document.getElementById("root");
if (!root) throw new Error("no #root element");
createRoot(root).render(
  <StrictMode>
    <RouterProvider>
      <AuthProvider session={createSession()}>
        <App />
      </AuthProvider>
    </RouterProvider>
  </StrictMode>,
);
