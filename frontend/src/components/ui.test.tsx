import { cleanup, fireEvent, render, screen } from "@testing-library/react";
import { afterEach, describe, expect, it, vi } from "vitest";
import { ApiError } from "../api/errors";
import { ErrorMessage, Loaded, Loading } from "./ui";

afterEach(cleanup);

const state = <T,>(over: Partial<{ data: T; error: unknown; loading: boolean }>) => ({
  data: undefined as T | undefined,
  error: null as unknown,
  loading: false,
  reload: vi.fn(),
  ...over,
});

describe("ErrorMessage", () => {
  it("says the error in words with every problem, and retries when asked", () => {
    const retry = vi.fn();
    const error = new ApiError(422, "invalid", "Some values are not valid.", ["Title: too short"]);
    render(<ErrorMessage error={error} onRetry={retry} />);
    const alert = screen.getByRole("alert");
    expect(alert.textContent).toContain("Some values are not valid.");
    expect(alert.textContent).toContain("Title: too short");
    fireEvent.click(screen.getByRole("button", { name: "Try again" }));
    expect(retry).toHaveBeenCalledOnce();
  });

  it("has no retry button for a form's own error", () => {
    render(<ErrorMessage error={new ApiError(409, "conflict", "Taken.")} />);
    expect(screen.queryByRole("button")).toBeNull();
  });
});

describe("Loaded", () => {
  it("shows only the error (with retry) when the load failed, never the content", () => {
    const failed = state<string[]>({ error: new ApiError(500, "internal", "Internal error."), data: [] });
    render(<Loaded state={failed} what="tickets">{(items) => <p>{items.length ? "rows" : "No tickets match"}</p>}</Loaded>);
    expect(screen.getByRole("alert").textContent).toContain("Internal error.");
    expect(screen.queryByText("No tickets match")).toBeNull();
    fireEvent.click(screen.getByRole("button", { name: "Try again" }));
    expect(failed.reload).toHaveBeenCalledOnce();
  });

  it("shows a skeleton that says what is loading, then the content", () => {
    const { rerender } = render(
      <Loaded state={state<string>({ loading: true })} what="tickets">{(d) => <p>{d}</p>}</Loaded>,
    );
    expect(screen.getByRole("status").textContent).toBe("Loading tickets…");
    rerender(<Loaded state={state<string>({ data: "ready" })} what="tickets">{(d) => <p>{d}</p>}</Loaded>);
    expect(screen.queryByRole("status")).toBeNull();
    expect(screen.getByText("ready")).toBeTruthy();
  });

  it("draws as many skeleton lines as asked, hidden from screen readers", () => {
    const { container } = render(<Loading what="x" lines={5} />);
    const lines = container.querySelectorAll(".skeleton-line");
    expect(lines).toHaveLength(5);
    expect([...lines].every((l) => l.getAttribute("aria-hidden") === "true")).toBe(true);
  });
});

describe("Loaded while retrying", () => {
  it("swaps the error for the skeleton until the retry answers", () => {
    render(
      <Loaded state={state<string>({ error: new Error("x"), loading: true })} what="tickets">{(d) => <p>{d}</p>}</Loaded>,
    );
    expect(screen.queryByRole("alert")).toBeNull();
    expect(screen.getByRole("status").textContent).toBe("Loading tickets…");
  });
});
