"""One rule, one key — the 保修卡 deadline (AS-3) is ``aftersales.card_deadline_months`` only.

The platform's former ``sla.warranty_card_days`` is retired: not in the schema nor the default
file; a version stored with it still loads (the key is dropped on reading).
"""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest
from django.utils import timezone

from kefu.core.models import Policy
from kefu.core.policy import (
    clear_policy_cache,
    default_bodies,
    policy_version_create,
    sla_policy,
)
from kefu.core.policy.schemas import SlaPolicy
from kefu.customers.tests.factories import CustomerFactory

from .. import services
from ..policy import aftersales_policy

pytestmark = pytest.mark.django_db


def _new_aftersales_version(actor: Any, **changes: Any) -> None:
    body = {**aftersales_policy().model_dump(mode="json"), **changes}
    policy_version_create(
        actor=actor, domain="aftersales", effective_from=timezone.localdate(), body=body
    )


def test_card_deadline_follows_the_aftersales_policy(org: dict[str, Any], client_for: Any) -> None:
    sup = org["supervisor"].user
    product = services.product_create(actor=sup, code="CAM", name="摄像机")
    inst = services.installation_create(
        actor=sup,
        customer=CustomerFactory(),
        product=product,
        serial_number="SN1",
        acceptance_date=timezone.localdate() - dt.timedelta(days=45),
    )
    client = client_for(sup)
    # Default: within 1 month of acceptance — 45 days later the card is overdue.
    assert aftersales_policy().card_deadline_months == 1
    body = client.get("/aftersales/cards/").content.decode()
    assert f'data-installation="{inst.pk}"' in body and 'data-testid="card-overdue"' in body
    # A new version with 3 months: the same installation is neither overdue nor due soon.
    _new_aftersales_version(sup, card_deadline_months=3)
    body = client.get("/aftersales/cards/").content.decode()
    assert f'data-installation="{inst.pk}"' not in body
    assert "保修卡在验收后3个月内发出" in body


def test_platform_key_is_retired_but_old_versions_still_load(org: dict[str, Any]) -> None:
    defaults = default_bodies()["sla"]
    assert "warranty_card_days" not in defaults
    assert "warranty_card_days" not in SlaPolicy.model_fields
    # A version stored before the retirement (with the key) is still valid when read …
    today = timezone.localdate()
    Policy.objects.create(
        domain="sla",
        version=Policy.objects.filter(domain="sla").count() + 1,
        effective_from=today,
        body={**defaults, "warranty_card_days": 30},
    )
    clear_policy_cache()
    assert sla_policy(today).ship_hours == defaults["ship_hours"]
    assert not hasattr(sla_policy(today), "warranty_card_days")
    # … and a new version copied from such a body is stored without it.
    stored = policy_version_create(
        actor=org["sysadmin"].user,
        domain="sla",
        effective_from=today + dt.timedelta(days=1),
        body={**defaults, "warranty_card_days": 30},
    )
    assert "warranty_card_days" not in stored.body
