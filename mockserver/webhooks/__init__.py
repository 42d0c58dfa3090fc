"""Webhook emission like SpotDraft's: subscriptions, signed payloads, a durable outbox."""
