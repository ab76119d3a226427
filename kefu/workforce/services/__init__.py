"""Workforce write path — 排班服务: the only path that changes rosters, coverage, skills and rest
requests. Import services from their modules (``services.rosters``, ``services.coverage``,
``services.imports``, ``services.reminders``, ``services.changes``)."""
