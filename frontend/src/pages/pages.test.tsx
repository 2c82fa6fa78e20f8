import { cleanup, fireEvent, screen, waitFor } from "@testing-library/react";
import { afterEach, describe, expect, it, vi } from "vitest";
import { json, renderWith } from "../test/render";
import { NewTicketPage } from "./NewTicketPage";
import { RegisterPage } from "./RegisterPage";

afterEach(() => {
  cleanup();
  vi.unstubAllGlobals();
  localStorage.clear();
});

describe("RegisterPage", () => {
  it("shows every password rule the server says is broken, in words", async () => {
    renderWith(<RegisterPage />, () =>
      json(422, {
        detail: "The password does not meet the password rules",
        code: "weak_password",
        errors: [
          { rule: "min_length", message: "At least 8 characters." },
          { rule: "numeric", message: "The password cannot be entirely numeric." },
        ],
      }),
    );
    fireEvent.change(screen.getByLabelText("Username"), { target: { value: "ada" } });
    fireEvent.change(screen.getByLabelText("Email"), { target: { value: "ada@example.com" } });
    fireEvent.change(screen.getByLabelText("Password"), { target: { value: "1234" } });
    fireEvent.change(screen.getByLabelText("Repeat the password"), { target: { value: "1234" } });
    fireEvent.click(screen.getByRole("button", { name: "Create account" }));
    const alert = await screen.findByRole("alert");
    expect(alert.textContent).toContain("At least 8 characters.");
    expect(alert.textContent).toContain("The password cannot be entirely numeric.");
    expect(alert.textContent).not.toContain("{");
  });
});

describe("NewTicketPage", () => {
  const signedIn = () => localStorage.setItem("servicedesk.refresh", "r");
  const me = { id: "u1", username: "ada", email: "a@b.c", is_active: true, is_admin: false,
    is_superuser: false, roles: ["user"], systems: {}, mfa_enabled: false, created_at: "" };

  function api(suggest: () => Response) {
    return (url: string) => {
      if (url === "/api/token/refresh") {
        const b64 = (v: object) => btoa(JSON.stringify(v)).replace(/=+$/, "");
        const access = `${b64({})}.${b64({ exp: Date.now() / 1000 + 900 })}.s`;
        return json(200, { access, refresh: "r2", token_type: "bearer", expires_in: 900 });
      }
      if (url === "/api/users/me") return json(200, me);
      if (url === "/api/systems") return json(200, [{ name: "TTS", description: "" }]);
      if (url === "/api/ai/suggest") return suggest();
      return json(404, { detail: "Not found", code: "not_found" });
    };
  }

  it("fills title, category and priority from AI suggest", async () => {
    signedIn();
    renderWith(<NewTicketPage />, api(() =>
      json(200, { title: "VPN down in Leeds", category: "network", priority: "urgent", summary: "Office VPN outage.", model: "m" }),
    ));
    fireEvent.change(screen.getByLabelText("Description"), { target: { value: "The VPN is down for everyone" } });
    fireEvent.click(screen.getByRole("button", { name: "AI suggest" }));
    await waitFor(() => expect((screen.getByLabelText("Title") as HTMLInputElement).value).toBe("VPN down in Leeds"));
    expect((screen.getByLabelText("Category") as HTMLInputElement).value).toBe("network");
    expect((screen.getByLabelText("Priority") as HTMLSelectElement).value).toBe("urgent");
    expect(screen.getByText(/Office VPN outage/)).toBeTruthy();
  });

  it("says the AI is unavailable (503) without blocking the form", async () => {
    signedIn();
    renderWith(<NewTicketPage />, api(() => json(503, { detail: "The model is unavailable", code: "ai_unavailable" })));
    fireEvent.change(screen.getByLabelText("Description"), { target: { value: "Printer jammed" } });
    fireEvent.click(screen.getByRole("button", { name: "AI suggest" }));
    expect(await screen.findByText(/AI suggestions are unavailable right now/)).toBeTruthy();
    expect((screen.getByRole("button", { name: "File ticket" }) as HTMLButtonElement).disabled).toBe(false);
  });
});
