"""Workforce write path — 排班服务. Import services from their modules."""
