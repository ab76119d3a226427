"""Sales policy — 销售提成补充参数 (domain ``sales``).

The rates, the conversion threshold and the award amounts of PERF-2/PERF-3 are the platform's
``commission`` domain (``kefu.core.policy.commission_policy``). This domain holds what the seeds
leave open:

* ``return_visit_runner_up`` — 回访部亚军奖金. Seed 002 line 51 names a 冠军、亚军、季军制度 but
  gives amounts only for 冠军 (500), 周冠军 (300) and 季军 (100); the 亚军 amount defaults to 0
  until the company sets one (a new policy version).
* ``no_inquiry_conversion`` — the conversion used for an agent with orders but no inquiry recorded
  in the month (default 1.00 = 100 %: every order counted as converted).
"""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from pathlib import Path

from pydantic import BaseModel, ConfigDict, Field

DOMAIN = "sales"
LABEL = "销售提成补充参数"
DEFAULTS_FILE = Path(__file__).with_name("policy_defaults.toml")


class SalesPolicy(BaseModel):
    """销售提成补充参数 (PERF-2, PERF-3)."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    return_visit_runner_up: Decimal = Field(ge=0, le=100000, description="回访部亚军奖金（元）")
    no_inquiry_conversion: Decimal = Field(
        ge=0, le=10, description="当月无询单记录时按此转化率计算提成"
    )


def sales_policy(on: dt.date | None = None) -> SalesPolicy:
    """The sales policy in force on ``on`` (today when None)."""
    from kefu.core.policy import policy_for

    return policy_for(DOMAIN, on)
