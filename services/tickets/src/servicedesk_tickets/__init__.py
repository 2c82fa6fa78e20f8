"""The tickets bounded context: tickets, workflows, comments, attachments, audit, export."""
