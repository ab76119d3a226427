"""Satisfaction surveys — 满意度调查 (CRM-3, RPT-4)."""
