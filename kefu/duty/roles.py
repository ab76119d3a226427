"""Permissions of the 交接班与在线 module per role (merged by kefu/org/roles.py)."""

ROLE_PERMISSIONS: dict[str, list[str]] = {}
