"""Permissions of the 例会与带教 module per role (merged by kefu/org/roles.py)."""

ROLE_PERMISSIONS: dict[str, list[str]] = {}
