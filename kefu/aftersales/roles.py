"""After-sales permissions per role — 售后服务权限 (merged by ``kefu.org.roles``).

售后专员 works repair orders and installations and issues warranty cards; 客服代表 and 组长 look up
warranties and raise repair orders from service requests; 客服主管 and 客服部经理 hold everything,
including the catalogue, the price list and exports; leadership and 行政人事部 read; the warehouse
has no after-sales access.
"""

from __future__ import annotations

from kefu.org.choices import Role

_VIEW = [
    "aftersales.view_product",
    "aftersales.view_priceitem",
    "aftersales.view_installation",
    "aftersales.view_warrantycard",
    "aftersales.view_repairorder",
]
_RAISE = [*_VIEW, "aftersales.add_repairorder"]
_WORK = [
    *_RAISE,
    "aftersales.change_repairorder",
    "aftersales.add_installation",
    "aftersales.change_installation",
    "aftersales.add_warrantycard",
]
_ALL = [
    *_WORK,
    "aftersales.add_product",
    "aftersales.change_product",
    "aftersales.add_priceitem",
    "aftersales.change_priceitem",
    "aftersales.export_repairorder",
]

ROLE_PERMISSIONS: dict[str, list[str]] = {
    Role.AGENT: _RAISE,
    Role.TEAM_LEAD: _RAISE,
    Role.AFTER_SALES: _WORK,
    Role.SUPERVISOR: _ALL,
    Role.CS_MANAGER: _ALL,
    Role.HR: _VIEW,
    Role.DEPUTY_GM: _VIEW,
    Role.GM: _VIEW,
}
