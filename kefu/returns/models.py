"""Returns and exchanges — 退换货 (AS-5..9)."""
