"""Permissions of the 换班 module per role (merged by kefu/org/roles.py)."""

ROLE_PERMISSIONS: dict[str, list[str]] = {}
