"""Permissions of the 考勤 module per role (merged by kefu/org/roles.py)."""

ROLE_PERMISSIONS: dict[str, list[str]] = {}
