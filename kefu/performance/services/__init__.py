"""Services of the performance ledger — the only write path (see each module)."""
