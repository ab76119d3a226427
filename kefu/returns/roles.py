"""Role permissions of the returns app — 退换货权限 (merged by ``kefu.org.roles``).

* 客服代表/组长/售后专员 register and work cases (view/add/change);
* 仓库管理员 sees cases and records 收货/验收 only ([004] 仓库员验货后签字);
* 订单员 sees cases, prints 退件单, signs 原包裹已收到 (AS-6);
* 客服主管/客服部经理 work cases, approve 先发货 and export;
* 行政人事部/副总/总经理 view.
"""

from __future__ import annotations

from kefu.org.choices import Role

VIEW = "returns.view_returncase"
ADD = "returns.add_returncase"
CHANGE = "returns.change_returncase"
INSPECT = "returns.inspect_returncase"
PARCEL = "returns.confirm_parcel_back"
APPROVE = "returns.approve_early_reship"
EXPORT = "returns.export_returncase"

_WORK = [VIEW, ADD, CHANGE]

ROLE_PERMISSIONS: dict[str, list[str]] = {
    Role.AGENT: _WORK,
    Role.TEAM_LEAD: _WORK,
    Role.AFTER_SALES: _WORK,
    Role.SUPERVISOR: [*_WORK, APPROVE, EXPORT],
    Role.CS_MANAGER: [*_WORK, APPROVE, EXPORT],
    Role.WAREHOUSE: [VIEW, INSPECT],
    Role.ORDER_CLERK: [VIEW, PARCEL],
    Role.HR: [VIEW],
    Role.DEPUTY_GM: [VIEW],
    Role.GM: [VIEW, EXPORT],
}
