"""The tickets service's errors, all mapped by `servicedesk_shared.errors` to one JSON shape.

ServiceError (shared)
├── Unauthorized 401
│   └── ApiKeyInvalid            invalid_api_key      shared (apikeys): bad X-API-Key
├── Forbidden 403
│   ├── NotAllowed               forbidden            role too low for this action
│   ├── FieldForbidden           field_forbidden      a field the caller may not change
│   └── ViewReadOnly             view_read_only       a built-in view, or a shared view
│                                                      and the caller is not its system's admin
├── NotFound 404
│   ├── TicketNotFound           not_found            missing, deleted, or not visible
│   ├── AttachmentNotFound       not_found            (also: belongs to another ticket)
│   ├── SystemNotFound           not_found            no such system / workflow
│   └── ViewNotFound             not_found            missing, or another's private view
├── Conflict 409
│   ├── TransitionNotAllowed     transition_not_allowed  the workflow has no such move
│   └── TooManyViews             too_many_views       the owner has MAX_VIEWS private views
├── PayloadTooLarge 413
│   ├── AttachmentTooLarge       payload_too_large    over ATTACHMENT_MAX_BYTES
│   └── QuotaExceeded            quota_exceeded       over ATTACHMENT_QUOTA_BYTES
├── UnsupportedMedia 415
│   └── FileTypeRefused          unsupported_media_type  bytes match no allowed type
└── Unprocessable 422
    ├── UnknownSystem            unknown_system
    ├── AssigneeNotStaff         assignee_not_staff   not agent or above in the ticket's system
    ├── IdempotencyKeyReused     idempotency_key_reused  same key, another body
    ├── InvalidWorkflow          invalid_workflow     `errors`: every problem found
    ├── InvalidView              invalid_view         e.g. shared without filters.system
    ├── BadUpload                bad_upload           not multipart, or no `file` part
    └── ImageTooLarge            image_too_large      header declares > ATTACHMENT_MAX_PIXELS
"""

from __future__ import annotations

from servicedesk_shared.errors import (
    Conflict,
    Forbidden,
    NotFound,
    PayloadTooLarge,
    ServiceError,
    Unprocessable,
    UnsupportedMedia,
)

__all__ = ["ServiceError"]


class NotAllowed(Forbidden, detail="Your role does not allow this"): ...


class FieldForbidden(Forbidden, code="field_forbidden", detail="You may not change this field"): ...


class ViewReadOnly(Forbidden, code="view_read_only", detail="You may not change this view"): ...


class TicketNotFound(NotFound, detail="Ticket not found"): ...


class AttachmentNotFound(NotFound, detail="Attachment not found"): ...


class SystemNotFound(NotFound, detail="System not found"): ...


class ViewNotFound(NotFound, detail="View not found"): ...


class TransitionNotAllowed(
    Conflict, code="transition_not_allowed", detail="The workflow does not allow this move"
): ...


class TooManyViews(
    Conflict, code="too_many_views", detail="You have too many saved views; delete one first"
): ...


class AttachmentTooLarge(
    PayloadTooLarge, detail="The file is larger than the attachment limit"
): ...


class QuotaExceeded(
    PayloadTooLarge, code="quota_exceeded", detail="Your attachment quota is used up"
): ...


class FileTypeRefused(
    UnsupportedMedia, detail="Allowed types: PNG, JPEG, GIF, WebP, PDF and plain UTF-8 text"
): ...


class UnknownSystem(Unprocessable, code="unknown_system", detail="Unknown system"): ...


class AssigneeNotStaff(
    Unprocessable,
    code="assignee_not_staff",
    detail="The assignee is not an agent or above in this system",
): ...


class IdempotencyKeyReused(
    Unprocessable,
    code="idempotency_key_reused",
    detail="This Idempotency-Key was used with another body",
): ...


class InvalidWorkflow(
    Unprocessable, code="invalid_workflow", detail="The workflow is not valid"
): ...


class InvalidView(Unprocessable, code="invalid_view", detail="The view is not valid"): ...


class BadUpload(
    Unprocessable, code="bad_upload", detail="Send multipart/form-data with one part named `file`"
): ...


class ImageTooLarge(
    Unprocessable,
    code="image_too_large",
    detail="The image declares more pixels (width x height) than allowed",
): ...
