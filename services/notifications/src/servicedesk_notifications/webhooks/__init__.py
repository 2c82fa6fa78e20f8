"""Signed webhooks: admins register URLs per event type; a dispatcher POSTs each event."""
