/** Attachments: upload with a progress bar, download through the API (bearer token). */
import { useRef, useState, type FormEvent } from "react";
import type { Schemas } from "../../api/client";
import { useAuth } from "../../auth/AuthContext";
import { useAsync } from "../../components/useAsync";
import { PersonName } from "../../components/people";
import { ErrorMessage, Loading, Notice, When } from "../../components/ui";
import { formatNumber, getLocale, t, tx } from "../../i18n";

interface Props {
  ticketId: number;
  version: number;
  onAdded: () => void;
}

export function formatSize(bytes: number): string {
  const tenths = (n: number) => formatNumber(Math.round(n * 10) / 10);
  if (bytes < 1024) return t("ticket.size.b", { size: formatNumber(bytes) });
  if (bytes < 1024 * 1024) return t("ticket.size.kb", { size: tenths(bytes / 1024) });
  return t("ticket.size.mb", { size: tenths(bytes / 1024 / 1024) });
}

function formatPercent(part: number): string {
  return new Intl.NumberFormat(getLocale(), { style: "percent" }).format(part);
}

export function Attachments({ ticketId, version, onAdded }: Props) {
  const { api } = useAuth();
  const list = useAsync(
    () => api.get("/api/tickets/{ticket_id}/attachments", { path: { ticket_id: ticketId } }),
    [api, ticketId, version],
  );
  const input = useRef<HTMLInputElement>(null);
  const [progress, setProgress] = useState<number | null>(null);
  const [error, setError] = useState<unknown>(null);
  const [uploaded, setUploaded] = useState<string | null>(null);

  const upload = async (event: FormEvent) => {
    event.preventDefault();
    const file = input.current?.files?.[0];
    if (!file) return;
    setError(null);
    setUploaded(null);
    setProgress(0);
    try {
      const done = await api.upload<Schemas["AttachmentRead"]>(
        `/api/tickets/${ticketId}/attachments`,
        file,
        setProgress,
      );
      setUploaded(t("ticket.uploaded", { name: done.filename }));
      if (input.current) input.current.value = "";
      onAdded();
    } catch (err) {
      setError(err);
    } finally {
      setProgress(null);
    }
  };

  const download = async (a: Schemas["AttachmentRead"]) => {
    setError(null);
    try {
      await api.download(`/api/tickets/${ticketId}/attachments/${a.id}`, a.filename);
    } catch (err) {
      setError(err);
    }
  };

  return (
    <section aria-labelledby="attachments-title" className="card">
      <h2 id="attachments-title">{t("ticket.attachments")}</h2>
      <ErrorMessage error={error} />
      <ErrorMessage error={list.error} onRetry={() => void list.reload()} />
      {uploaded ? <Notice>{uploaded}</Notice> : null}
      {list.loading && !list.data ? <Loading what={t("ticket.attachmentsLoading")} /> : null}
      {list.data && !list.error && list.data.length === 0 ? <p className="muted">{t("ticket.noAttachments")}</p> : null}
      <ul className="plain">
        {(list.data ?? []).map((a) => (
          <li key={a.id}>
            <button type="button" className="link" onClick={() => void download(a)}>
              {t("ticket.download", { name: a.filename })}
            </button>{" "}
            <span className="muted">
              {tx("ticket.attachmentMeta", {
                type: a.content_type,
                size: formatSize(a.size),
                person: <PersonName person={a.uploaded_by} />,
                when: <When at={a.created_at} />,
              })}
            </span>
          </li>
        ))}
      </ul>
      <form onSubmit={upload} className="upload">
        <div className="field">
          <label htmlFor="attachment-file">{t("ticket.fileToAttach")}</label>
          <input id="attachment-file" ref={input} type="file" name="file" required
            aria-describedby="attachment-hint" />
          <p className="hint" id="attachment-hint">{t("ticket.fileHint")}</p>
        </div>
        <button type="submit" disabled={progress !== null}>
          {t("ticket.upload")}
        </button>
        {progress !== null ? (
          <div className="progress">
            <label htmlFor="upload-progress">{t("ticket.uploading")}</label>
            <progress id="upload-progress" max={100} value={Math.round(progress * 100)}>
              {formatPercent(progress)}
            </progress>
          </div>
        ) : null}
      </form>
    </section>
  );
}
