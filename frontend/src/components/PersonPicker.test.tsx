import { act, cleanup, fireEvent, screen, waitFor } from "@testing-library/react";
import { useState } from "react";
import { afterEach, describe, expect, it, vi } from "vitest";
import { json, renderWith } from "../test/render";
import { signedIn } from "../test/signedIn";
import { PersonPicker, type StaffMember } from "./PersonPicker";

afterEach(() => {
  cleanup();
  vi.unstubAllGlobals();
  localStorage.clear();
});

const STAFF: StaffMember[] = [
  { id: "p1", username: "grace", display_name: "Grace Hopper", role: "agent" },
  { id: "p2", username: "gregor", display_name: "Gregor Mendel", role: "manager" },
];

function Harness({ onPick }: { onPick: (p: StaffMember | null) => void }) {
  const [value, setValue] = useState<StaffMember | null>(null);
  return (
    <PersonPicker system="TTS" label="Assignee" value={value}
      onChange={(p) => { setValue(p); onPick(p); }} />
  );
}

describe("PersonPicker", () => {
  it("searches the system's staff and picks with the keyboard", async () => {
    const asked: string[] = [];
    const onPick = vi.fn();
    renderWith(<Harness onPick={onPick} />, signedIn((url) => {
      if (url.startsWith("/api/people")) {
        asked.push(url);
        return json(200, { items: STAFF });
      }
      return json(404, { detail: "Not found", code: "not_found" });
    }));
    const box = screen.getByRole("combobox", { name: "Assignee" });
    expect(box.getAttribute("aria-expanded")).toBe("false");
    act(() => box.focus());
    fireEvent.change(box, { target: { value: "gr" } });
    await waitFor(() => expect(box.getAttribute("aria-expanded")).toBe("true"));
    expect(asked.at(-1)).toContain("system=TTS");
    expect(asked.at(-1)).toContain("q=gr");
    const options = screen.getAllByRole("option");
    expect(options.map((o) => o.textContent)).toEqual([
      "Grace Hopper @grace · Agent",
      "Gregor Mendel @gregor · Manager",
    ]);
    expect(box.getAttribute("aria-activedescendant")).toBe(options[0]!.id);
    fireEvent.keyDown(box, { key: "ArrowDown" });
    expect(box.getAttribute("aria-activedescendant")).toBe(options[1]!.id);
    expect(options[1]!.getAttribute("aria-selected")).toBe("true");
    fireEvent.keyDown(box, { key: "ArrowDown" }); // wraps to the first
    fireEvent.keyDown(box, { key: "ArrowUp" }); // and back to the last
    fireEvent.keyDown(box, { key: "Enter" });
    expect(onPick).toHaveBeenLastCalledWith(STAFF[1]);
    expect((box as HTMLInputElement).value).toBe("Gregor Mendel");
    expect(box.getAttribute("aria-expanded")).toBe("false");
  });

  it("closes on Escape without picking, and says when nobody matches", async () => {
    const onPick = vi.fn();
    let items: StaffMember[] = STAFF;
    renderWith(<Harness onPick={onPick} />, signedIn((url) =>
      url.startsWith("/api/people") ? json(200, { items }) : json(404, {})));
    const box = screen.getByRole("combobox", { name: "Assignee" });
    act(() => box.focus());
    fireEvent.keyDown(box, { key: "ArrowDown" });
    await waitFor(() => expect(box.getAttribute("aria-expanded")).toBe("true"));
    fireEvent.keyDown(box, { key: "Escape" });
    expect(box.getAttribute("aria-expanded")).toBe("false");
    expect(onPick).not.toHaveBeenCalled();
    items = [];
    fireEvent.change(box, { target: { value: "zz" } });
    expect(await screen.findByText("Nobody matches.")).toBeTruthy();
  });
});
