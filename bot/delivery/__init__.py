"""Getting messages out: the outbox sender, email, the repeating jobs."""
