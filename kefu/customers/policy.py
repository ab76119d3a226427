"""Customer policy — 客户档案制度参数 (domain ``customers``): grades and the view log (CRM-1, SEC-1).

Registered by ``CustomersConfig.ready()``; the defaults are in ``policy_defaults.toml``. Field
descriptions are Chinese because they are shown next to validation errors.
"""

from __future__ import annotations

import datetime as dt
from pathlib import Path

from pydantic import BaseModel, ConfigDict, Field, model_validator

DOMAIN = "customers"
LABEL = "客户档案"
DEFAULTS_FILE = Path(__file__).with_name("policy_defaults.toml")


class _Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


class CustomerGrade(_Strict):
    """客户等级: one grade a customer can have (重点客户, 大客户, 普通…)."""

    code: str = Field(
        min_length=1, max_length=20, pattern=r"^[a-z][a-z0-9_]*$", description="等级代码"
    )
    name: str = Field(min_length=1, max_length=20, description="等级名称")


class ViewLog(_Strict):
    """查看记录 (SEC-1): how often opening one customer's page is written to the audit trail."""

    interval_minutes: int = Field(
        ge=0, le=24 * 60, description="同一人查看同一客户的记录间隔（分钟，0=每次都记录）"
    )


class CustomerPolicy(_Strict):
    """客户档案 (CRM-1, SEC-1): the grades in use, the default one, and the view log."""

    grades: list[CustomerGrade] = Field(min_length=1, description="客户等级")
    default_grade: str = Field(min_length=1, description="默认等级代码")
    view_log: ViewLog

    @model_validator(mode="after")
    def _consistent(self) -> CustomerPolicy:
        codes = [g.code for g in self.grades]
        names = [g.name for g in self.grades]
        if len(codes) != len(set(codes)):
            raise ValueError("客户等级代码不能重复")
        if len(names) != len(set(names)):
            raise ValueError("客户等级名称不能重复")
        if self.default_grade not in codes:
            raise ValueError(f"默认等级“{self.default_grade}”不在客户等级中")
        return self

    def grade_name(self, code: str) -> str:
        """The grade's name, or the code itself for a grade a later version no longer lists."""
        for grade in self.grades:
            if grade.code == code:
                return grade.name
        return code

    def grade_by_name(self) -> dict[str, str]:
        """Name → code, for imports (people type 大客户, not major)."""
        return {g.name: g.code for g in self.grades}


def customer_policy(on: dt.date | None = None) -> CustomerPolicy:
    """The customer policy in force on ``on`` (today in Asia/Shanghai by default)."""
    from kefu.core.policy import policy_for

    return policy_for(DOMAIN, on)
