"""Webhook emission: subscriptions' signed payloads through a durable outbox, delivered with
retries; the receiver-side tools (listener, probe). A family's webhook API lives in its profile."""
