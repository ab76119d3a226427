"""The signed-in person — 当前登录人: the user and their employee record read by one statement.

Every page and API call needs both: the user for permissions, the employee record (with its
department, team and position) for data scope and audit. Read through the ORM that was two
queries per request, each compiled anew (``ModelBackend.get_user`` and ``org.selectors.
employee_of``). Here the join is built once per process from the models' own fields
(``kefu.core.rowsql``), runs as a prepared statement on PostgreSQL, and leaves the objects as the
ORM's ``select_related`` would, with ``user.employee`` and ``employee_of(user)`` answered
without a query. Used by the session backend (``auth_backend``) and the API token lookup
(``tokens``).
"""

from __future__ import annotations

from functools import cache
from typing import Any

from django.apps import apps
from django.contrib.auth import get_user_model
from django.db import connection

from . import rowsql
from .rowsql import Columns, columns

# What employee_of() joins for a signed-in user: scope, the pages and the API need them.
EMPLOYEE_RELATED = (("department", "dep"), ("team", "tm"), ("position", "pos"))


@cache
def user_parts() -> tuple[str, str, list[Columns]]:
    """``(select list, joins after the user table aliased "u", column slices)`` of the user,
    their employee record and its ``EMPLOYEE_RELATED``, for a statement that adds its own
    ``FROM``/``WHERE`` (the token lookup puts the token's columns first)."""
    employee = apps.get_model("org", "Employee")
    q = connection.ops.quote_name
    parts = [
        columns(get_user_model(), "u"),
        columns(employee, "e"),
        *(columns(employee._meta.get_field(n).related_model, a) for n, a in EMPLOYEE_RELATED),
    ]
    user, _employee, *related = parts
    joins = f" LEFT JOIN {q(employee._meta.db_table)} {q('e')} ON {q('e')}.{q('user_id')} = " + (
        f"{q('u')}.{q(user.model._meta.pk.column)}"
    )
    for (name, alias), c in zip(EMPLOYEE_RELATED, related, strict=True):
        joins += (
            f" LEFT JOIN {q(c.model._meta.db_table)} {q(alias)} ON "
            f"{q(alias)}.{q(c.model._meta.pk.column)} = "
            f"{q('e')}.{q(employee._meta.get_field(name).column)}"
        )
    return ", ".join(c.sql for c in parts), joins, parts


def user_from_row(row: Any, start: int = 0) -> Any:
    """The user in ``row`` from ``start`` (a ``user_parts`` select list), with the employee record
    (or None) cached where ``user.employee`` and ``employee_of`` look."""
    _select, _joins, parts = user_parts()
    objects = []
    for part in parts:
        objects.append(part.instance(row, start))
        start += len(part)
    user, employee, *related = objects
    employee_model = apps.get_model("org", "Employee")
    if employee is not None:
        for (name, _alias), obj in zip(EMPLOYEE_RELATED, related, strict=True):
            employee_model._meta.get_field(name).set_cached_value(employee, obj)
        employee_model._meta.get_field("user").set_cached_value(employee, user)
    # user.employee without a query (None: no record, as the ORM caches an unmatched join).
    employee_model._meta.get_field("user").remote_field.set_cached_value(user, employee)
    user._kefu_employee = employee
    return user


@cache
def _user_by_pk_sql() -> str:
    select, joins, parts = user_parts()
    q = connection.ops.quote_name
    pk = q(parts[0].model._meta.pk.column)
    return (
        f"SELECT {select} FROM {q(parts[0].model._meta.db_table)} {q('u')}{joins} "
        f"WHERE {q('u')}.{pk} = %s"
    )


def user_by_pk(pk: Any) -> Any:
    """The user ``pk`` with their employee record attached (``user_from_row``), or None."""
    with rowsql.cursor() as cursor:
        cursor.execute(_user_by_pk_sql(), [pk])
        row = cursor.fetchone()
    return None if row is None else user_from_row(row)
