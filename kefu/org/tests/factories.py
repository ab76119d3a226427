"""factory_boy factories for the organisation, and ``make_org`` — a small company for tests."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from typing import Any

import factory
from django.contrib.auth import get_user_model
from django.contrib.auth.models import Group

from kefu.org.choices import Level, Role
from kefu.org.models import Department, Employee, Position, Team

User = get_user_model()
PASSWORD = "test-pass-123"


class DepartmentFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Department

    name = factory.Sequence(lambda n: f"部门{n}")
    code = factory.Sequence(lambda n: f"D{n:04d}")


class TeamFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Team

    department = factory.SubFactory(DepartmentFactory)
    name = factory.Sequence(lambda n: f"班组{n}")


class PositionFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Position
        django_get_or_create = ("name",)

    name = "客服代表"
    level = Level.AGENT


class UserFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = User
        django_get_or_create = ("username",)
        skip_postgeneration_save = True

    username = factory.Sequence(lambda n: f"U{n:05d}")
    password = factory.django.Password(PASSWORD)


class EmployeeFactory(factory.django.DjangoModelFactory):
    """An employee with a login; ``roles=[...]`` puts the user in those role groups."""

    class Meta:
        model = Employee
        skip_postgeneration_save = True

    employee_no = factory.Sequence(lambda n: f"E{n:05d}")
    user = factory.SubFactory(UserFactory, username=factory.SelfAttribute("..employee_no"))
    name = factory.Sequence(lambda n: f"员工{n}")
    phone = factory.Sequence(lambda n: f"138{n:08d}")
    hire_date = dt.date(2024, 1, 2)
    department = factory.SubFactory(DepartmentFactory)
    position = factory.SubFactory(PositionFactory)
    base_points = Decimal("1")
    monthly_bonus = Decimal("1000")

    @factory.post_generation
    def roles(self, create: bool, extracted: list[str] | None, **kwargs: Any) -> None:
        if not create:
            return
        labels = [Role(r).label for r in (extracted or [Role.AGENT.value])]
        self.user.groups.set(Group.objects.filter(name__in=labels))


def make_org(*, aftersales_staff: bool = True) -> dict[str, Any]:
    """HQ → 客服部 (teams A, B) + 行政人事部 + 信息中心, with one person for every role.

    ``aftersales_staff`` adds the 售后服务组's 售后专员, 回访员 and 订单员 (technician, visitor,
    clerk); the org app's own tests leave them out so their head counts stay small and exact.
    """
    hq = DepartmentFactory(name="总部", code="HQ")
    cs = DepartmentFactory(name="客服部", code="CS", parent=hq)
    cs_sub = DepartmentFactory(name="售后服务组", code="AS", parent=cs)
    hr_dept = DepartmentFactory(name="行政人事部", code="HR", parent=hq)
    it = DepartmentFactory(name="信息中心", code="IT", parent=hq)
    team_a = TeamFactory(department=cs, name="售前组")
    team_b = TeamFactory(department=cs, name="售后组")

    def pos(name: str, level: str) -> Position:
        return PositionFactory(name=name, level=level)

    gm = EmployeeFactory(
        employee_no="G001",
        name="王总",
        department=hq,
        position=pos("总经理", Level.GM),
        roles=[Role.GM],
    )
    dgm = EmployeeFactory(
        employee_no="G002",
        name="李副总",
        department=hq,
        superior=gm,
        position=pos("副总经理", Level.DEPUTY_GM),
        roles=[Role.DEPUTY_GM],
    )
    manager = EmployeeFactory(
        employee_no="KF001",
        name="张经理",
        department=cs,
        superior=dgm,
        position=pos("客服部经理", Level.DEPARTMENT_HEAD),
        roles=[Role.CS_MANAGER],
    )
    supervisor = EmployeeFactory(
        employee_no="KF002",
        name="陈主管",
        department=cs,
        superior=manager,
        position=pos("客服主管", Level.SUPERVISOR),
        roles=[Role.SUPERVISOR],
    )
    lead_a = EmployeeFactory(
        employee_no="KF010",
        name="组长甲",
        department=cs,
        team=team_a,
        superior=supervisor,
        position=pos("组长", Level.TEAM_LEAD),
        roles=[Role.TEAM_LEAD],
    )
    lead_b = EmployeeFactory(
        employee_no="KF020",
        name="组长乙",
        department=cs,
        team=team_b,
        superior=supervisor,
        position=pos("组长", Level.TEAM_LEAD),
        roles=[Role.TEAM_LEAD],
    )
    agent_pos = pos("客服代表", Level.AGENT)
    agent_a1 = EmployeeFactory(
        employee_no="KF011",
        name="客服甲一",
        department=cs,
        team=team_a,
        superior=lead_a,
        position=agent_pos,
        phone="13812345678",
        id_number="110101199003071234",
    )
    agent_a2 = EmployeeFactory(
        employee_no="KF012",
        name="客服甲二",
        department=cs,
        team=team_a,
        superior=lead_a,
        position=agent_pos,
    )
    agent_b1 = EmployeeFactory(
        employee_no="KF021",
        name="客服乙一",
        department=cs,
        team=team_b,
        superior=lead_b,
        position=agent_pos,
    )
    after_sales = EmployeeFactory(
        employee_no="AS001", name="售后一", department=cs_sub, superior=manager, position=agent_pos
    )
    hr = EmployeeFactory(
        employee_no="HR001",
        name="赵人事",
        department=hr_dept,
        superior=dgm,
        position=pos("部门经理", Level.DEPARTMENT_HEAD),
        roles=[Role.HR],
    )
    sysadmin = EmployeeFactory(
        employee_no="IT001",
        name="周管理员",
        department=it,
        superior=dgm,
        position=pos("系统管理员", Level.AGENT),
        roles=[Role.SYSADMIN],
    )
    warehouse = EmployeeFactory(
        employee_no="CK001",
        name="孙仓管",
        department=hq,
        superior=dgm,
        position=pos("仓库管理员", Level.AGENT),
        roles=[Role.WAREHOUSE],
    )
    company = {
        "hq": hq,
        "cs": cs,
        "cs_sub": cs_sub,
        "hr_dept": hr_dept,
        "it": it,
        "team_a": team_a,
        "team_b": team_b,
        "gm": gm,
        "dgm": dgm,
        "manager": manager,
        "supervisor": supervisor,
        "lead_a": lead_a,
        "lead_b": lead_b,
        "agent_a1": agent_a1,
        "agent_a2": agent_a2,
        "agent_b1": agent_b1,
        "after_sales": after_sales,
        "hr": hr,
        "sysadmin": sysadmin,
        "warehouse": warehouse,
        "agent_position": agent_pos,
    }
    if not aftersales_staff:
        return company
    # After-sales (AS), return visits (AS-4) and the order desk (AS-6): 客服部's 售后服务组.
    technician = EmployeeFactory(
        employee_no="AS002",
        name="维修一",
        department=cs_sub,
        superior=manager,
        position=agent_pos,
        roles=[Role.AFTER_SALES],
    )
    visitor = EmployeeFactory(
        employee_no="AS003",
        name="回访一",
        department=cs_sub,
        superior=manager,
        position=agent_pos,
        roles=[Role.RETURN_VISITOR],
    )
    clerk = EmployeeFactory(
        employee_no="AS004",
        name="订单一",
        department=cs_sub,
        superior=manager,
        position=agent_pos,
        roles=[Role.ORDER_CLERK],
    )
    return {**company, "technician": technician, "visitor": visitor, "clerk": clerk}
