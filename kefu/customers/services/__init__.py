"""Customer writes — 客户档案维护: the only path that changes customers and their phones.

Every service checks the actor's permission, validates, writes and records an audit event in one
transaction. Importable from here; split by subject.
"""

from kefu.core.errors import ConflictError, DomainError, PermissionDeniedError

from .customers import (
    CUSTOMER_FIELDS,
    CustomerPhoneTaken,
    clean_phone,
    clean_phones,
    customer_add_phone,
    customer_create,
    customer_find_or_create_by_phone,
    customer_remove_phone,
    customer_update,
    customer_view_record,
    validate_customer_values,
)
from .imports import (
    IMPORT_PROGRESS_EVERY,
    customers_export_record,
    customers_import,
    customers_import_submit,
)

__all__ = [
    "CUSTOMER_FIELDS",
    "IMPORT_PROGRESS_EVERY",
    "ConflictError",
    "CustomerPhoneTaken",
    "DomainError",
    "PermissionDeniedError",
    "clean_phone",
    "clean_phones",
    "customer_add_phone",
    "customer_create",
    "customer_find_or_create_by_phone",
    "customer_remove_phone",
    "customer_update",
    "customer_view_record",
    "customers_export_record",
    "customers_import",
    "customers_import_submit",
    "validate_customer_values",
]
