"""Return visits — 回访 (AS-4, CRM-2, CRM-4)."""
