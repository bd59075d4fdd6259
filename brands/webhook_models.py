"""Webhook endpoints, outbox and delivery attempts (being built)."""
