import { cleanup, fireEvent, screen, waitFor } from "@testing-library/react";
import { afterEach, describe, expect, it, vi } from "vitest";
import { json, renderWith } from "../test/render";
import { signedIn, WhenSignedIn } from "../test/signedIn";
import { Layout } from "./Layout";

afterEach(() => {
  cleanup();
  vi.unstubAllGlobals();
  localStorage.clear();
});

describe("Layout", () => {
  it("has the theme switch and moves focus to the page after a navigation", async () => {
    const api = signedIn((url) => (url.includes("unread-count") ? json(200, { unread: 0 }) : json(404, {})));
    renderWith(<WhenSignedIn><Layout><p>page</p></Layout></WhenSignedIn>, api, "/tickets");
    const nav = await screen.findByRole("navigation", { name: "Main" });
    expect(screen.getByLabelText("Theme")).toBeTruthy();
    expect(document.activeElement).not.toBe(screen.getByRole("main"));
    fireEvent.click(screen.getByRole("link", { name: "New ticket" }));
    await waitFor(() => expect(document.activeElement).toBe(screen.getByRole("main")));
    expect(nav.querySelector('[aria-current="page"]')?.textContent).toBe("New ticket");
  });
});
