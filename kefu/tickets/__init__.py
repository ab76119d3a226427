"""Service requests — 工单 (TKT-1..10, CMP-6): rule engines first, models and pages later."""
