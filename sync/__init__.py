"""Moving trust across the gap: signed channel, upload queues, hub (later waves)."""
