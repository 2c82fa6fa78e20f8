import { cleanup, fireEvent, render, screen } from "@testing-library/react";
import { afterEach, describe, expect, it, vi } from "vitest";
import { isTyping, useShortcuts, type ShortcutMap } from "./shortcuts";

afterEach(cleanup);

function Page({ keys }: { keys: ShortcutMap }) {
  useShortcuts(keys);
  return (
    <div>
      <input aria-label="Search" />
      <textarea aria-label="Body" />
      <select aria-label="Pick"><option>a</option></select>
      <input type="checkbox" aria-label="Only unread" />
      <button type="button">Plain</button>
    </div>
  );
}

describe("shortcuts", () => {
  it("fire on the page but never inside text fields or with modifiers", () => {
    const j = vi.fn();
    render(<Page keys={{ j }} />);
    fireEvent.keyDown(document.body, { key: "j" });
    expect(j).toHaveBeenCalledOnce();
    for (const label of ["Search", "Body", "Pick"]) fireEvent.keyDown(screen.getByLabelText(label), { key: "j" });
    fireEvent.keyDown(document.body, { key: "j", ctrlKey: true });
    fireEvent.keyDown(document.body, { key: "j", metaKey: true });
    expect(j).toHaveBeenCalledOnce();
    fireEvent.keyDown(screen.getByLabelText("Only unread"), { key: "j" });
    fireEvent.keyDown(screen.getByRole("button"), { key: "j" });
    expect(j).toHaveBeenCalledTimes(3);
  });

  it("treat editable content and open dialogs as typing", () => {
    const editable = document.createElement("div");
    editable.contentEditable = "true";
    Object.defineProperty(editable, "isContentEditable", { value: true });
    expect(isTyping(editable)).toBe(true);
    const dialog = document.createElement("dialog");
    dialog.setAttribute("open", "");
    const inside = document.createElement("button");
    dialog.append(inside);
    document.body.append(dialog);
    expect(isTyping(inside)).toBe(true);
    dialog.remove();
    expect(isTyping(null)).toBe(false);
  });
});
