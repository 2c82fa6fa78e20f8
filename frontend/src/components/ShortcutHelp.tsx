/** The keyboard shortcuts of a page, in a dialog (opened with `?`). */
import { Dialog } from "./Dialog";

export interface Shortcut {
  keys: string[];
  does: string;
}

export function ShortcutHelp({ shortcuts, onClose }: { shortcuts: Shortcut[]; onClose: () => void }) {
  return (
    <Dialog title="Keyboard shortcuts" onClose={onClose}>
      <dl className="keys">
        {shortcuts.map((s) => (
          <div key={s.does} className="key-row">
            <dt>
              {s.keys.map((k, i) => (
                <span key={k}>
                  {i ? " or " : null}
                  <kbd>{k}</kbd>
                </span>
              ))}
            </dt>
            <dd>{s.does}</dd>
          </div>
        ))}
      </dl>
      <p className="muted">They do nothing while you type in a field.</p>
      <button type="button" onClick={onClose} data-autofocus>
        Close
      </button>
    </Dialog>
  );
}
