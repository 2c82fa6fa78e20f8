/** Attachments: upload with a progress bar, download through the API (bearer token). */
import { useRef, useState, type FormEvent } from "react";
import type { Schemas } from "../../api/client";
import { useAuth } from "../../auth/AuthContext";
import { useAsync } from "../../components/useAsync";
import { PersonName } from "../../components/people";
import { ErrorMessage, Loading, Notice, When } from "../../components/ui";

interface Props {
  ticketId: number;
  version: number;
  onAdded: () => void;
}

export function formatSize(bytes: number): string {
  if (bytes < 1024) return `${bytes} B`;
  if (bytes < 1024 * 1024) return `${(bytes / 1024).toFixed(1)} KB`;
  return `${(bytes / 1024 / 1024).toFixed(1)} MB`;
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
      setUploaded(`Uploaded ${done.filename}.`);
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
      <h2 id="attachments-title">Attachments</h2>
      <ErrorMessage error={error} />
      <ErrorMessage error={list.error} onRetry={() => void list.reload()} />
      {uploaded ? <Notice>{uploaded}</Notice> : null}
      {list.loading && !list.data ? <Loading what="attachments" /> : null}
      {list.data && !list.error && list.data.length === 0 ? <p className="muted">No attachments.</p> : null}
      <ul className="plain">
        {(list.data ?? []).map((a) => (
          <li key={a.id}>
            <button type="button" className="link" onClick={() => void download(a)}>
              Download {a.filename}
            </button>{" "}
            <span className="muted">
              {a.content_type}, {formatSize(a.size)}, by <PersonName person={a.uploaded_by} />,{" "}
              <When at={a.created_at} />
            </span>
          </li>
        ))}
      </ul>
      <form onSubmit={upload} className="upload">
        <div className="field">
          <label htmlFor="attachment-file">File to attach</label>
          <input id="attachment-file" ref={input} type="file" name="file" required
            aria-describedby="attachment-hint" />
          <p className="hint" id="attachment-hint">Images (PNG, JPEG, GIF, WebP), PDF or plain text, up to 10 MB.</p>
        </div>
        <button type="submit" disabled={progress !== null}>
          Upload
        </button>
        {progress !== null ? (
          <div className="progress">
            <label htmlFor="upload-progress">Uploading</label>
            <progress id="upload-progress" max={100} value={Math.round(progress * 100)}>
              {Math.round(progress * 100)}%
            </progress>
          </div>
        ) : null}
      </form>
    </section>
  );
}
