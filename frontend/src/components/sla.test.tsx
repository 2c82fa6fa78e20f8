import { cleanup, render, screen } from "@testing-library/react";
import { afterEach, describe, expect, it } from "vitest";
import { setTextLocale } from "../i18n";
import { clockState, describeClock, duration, SlaBadge, SlaCell, SlaPanel, type Clock } from "./sla";

afterEach(() => {
  cleanup();
  setTextLocale("en");
});

const clock = (over: Partial<Clock> = {}): Clock => ({
  due_at: "2026-03-02T11:00:00Z", met_at: null, breached: false, paused: false,
  remaining_seconds: 3 * 3600 + 20 * 60, ...over,
});

describe("SLA words", () => {
  it("writes working time as hours and minutes", () => {
    expect(duration(3 * 3600 + 20 * 60)).toBe("3 h 20 min");
    expect(duration(45 * 60)).toBe("45 min");
    expect(duration(2 * 3600)).toBe("2 h");
    expect(duration(30)).toBe("under a minute");
    expect(duration(-90 * 60)).toBe("1 h 30 min");
  });

  it("names every state in words", () => {
    expect(describeClock(clock())).toBe("On track, 3 h 20 min left");
    expect(describeClock(clock({ remaining_seconds: 600 }))).toBe("Due soon, 10 min left");
    expect(describeClock(clock({ paused: true }))).toBe("Paused, 3 h 20 min left");
    expect(describeClock(clock({ breached: true, remaining_seconds: -5400 }))).toBe("Breached, 1 h 30 min over");
    expect(describeClock(clock({ met_at: "2026-03-02T10:00:00Z" }))).toBe("Met");
    expect(describeClock(clock({ met_at: "2026-03-02T12:00:00Z", breached: true }))).toBe("Met late (breached)");
    expect(clockState(clock({ breached: true, paused: true }))).toBe("breached");
  });

  it("never relies on colour alone: the badge carries the words and a symbol", () => {
    render(<SlaBadge clock={clock({ breached: true, remaining_seconds: -60 })} />);
    const badge = screen.getByText(/Breached, 1 min over/);
    expect(badge.className).toContain("sla-breached");
    expect(badge.querySelector("[aria-hidden='true']")?.textContent).toBe("✕");
  });

  it("shows the first response in the list until it is met, then resolution", () => {
    const { rerender } = render(
      <SlaCell sla={{ first_response: clock({ remaining_seconds: 300 }), resolution: clock() }} />,
    );
    expect(screen.getByText("First response")).toBeTruthy();
    expect(screen.getByText(/Due soon, 5 min left/)).toBeTruthy();
    rerender(
      <SlaCell sla={{ first_response: clock({ met_at: "2026-03-02T09:30:00Z" }), resolution: clock({ paused: true }) }} />,
    );
    expect(screen.getByText("Resolution")).toBeTruthy();
    expect(screen.getByText(/Paused, 3 h 20 min left/)).toBeTruthy();
    rerender(<SlaCell sla={null} />);
    expect(screen.getByText("No target")).toBeTruthy();
  });

  it("lists both targets with due times on the ticket page", () => {
    render(<SlaPanel sla={{ first_response: clock({ met_at: "2026-03-02T09:30:00Z" }), resolution: clock() }} />);
    expect(screen.getByRole("heading", { name: "Service level" })).toBeTruthy();
    expect(screen.getByText("Met")).toBeTruthy();
    expect(screen.getByText(/On track, 3 h 20 min left/)).toBeTruthy();
    expect(screen.getByText(/^Due/)).toBeTruthy();
  });

  it("speaks German, durations never broken between number and unit", () => {
    setTextLocale("de");
    expect(describeClock(clock())).toBe("Im Plan, noch 3\u00a0Std. 20\u00a0Min.");
    expect(describeClock(clock({ breached: true, remaining_seconds: -5400 }))).toBe("Verletzt, 1\u00a0Std. 30\u00a0Min. überschritten");
    render(<SlaPanel sla={{ first_response: null, resolution: clock({ due_at: new Date(Date.now() + 3 * 3_600_000 + 60_000).toISOString() }) }} />);
    const due = screen.getByText("in 3 Stunden");
    expect(due.tagName).toBe("TIME");
    expect(due.getAttribute("title")).toMatch(/^\d\d\.\d\d\.\d{4}, \d\d:\d\d$/);
    expect(due.parentElement?.textContent).toBe("Fällig in 3 Stunden");
  });
});
