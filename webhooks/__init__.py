"""Signed webhooks out: events of the case desk written to an outbox and delivered by Celery."""
