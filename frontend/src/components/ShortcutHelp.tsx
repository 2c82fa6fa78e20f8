/** The keyboard shortcuts of a page, in a dialog (opened with `?`). */
import { t } from "../i18n";
import { Dialog } from "./Dialog";

export interface Shortcut {
  keys: string[];
  does: string;
}

export function ShortcutHelp({ shortcuts, onClose }: { shortcuts: Shortcut[]; onClose: () => void }) {
  return (
    <Dialog title={t("common.shortcuts.title")} onClose={onClose}>
      <dl className="keys">
        {shortcuts.map((s) => (
          <div key={s.does} className="key-row">
            <dt>
              {s.keys.map((k, i) => (
                <span key={k}>
                  {i ? ` ${t("common.or")} ` : null}
                  <kbd>{k}</kbd>
                </span>
              ))}
            </dt>
            <dd>{s.does}</dd>
          </div>
        ))}
      </dl>
      <p className="muted">{t("common.shortcuts.note")}</p>
      <button type="button" onClick={onClose} data-autofocus>
        {t("common.close")}
      </button>
    </Dialog>
  );
}
