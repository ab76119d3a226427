"""seed_demo — 演示数据: a realistic company (ORG-1 departments, ~60 people, every role).

Idempotent: running it again changes nothing. Everything after the bootstrap superuser is created
through the services, so the demo data has a real audit trail.
"""

from __future__ import annotations

import datetime as dt
import random
from decimal import Decimal
from typing import Any

from django.apps import apps
from django.contrib.auth import get_user_model
from django.contrib.auth.hashers import make_password
from django.core.management.base import BaseCommand
from django.db import transaction

from kefu.org import services
from kefu.org.choices import Level, Role, Speciality
from kefu.org.models import Department, Employee, Position, Team

DEMO_PASSWORD = "kefu-demo-2026"
ADMIN_USERNAME = "admin"

DEPARTMENTS: list[tuple[str, str, str | None]] = [
    ("HQ", "总经理办公室", None),
    ("CS", "客服部", "HQ"),
    ("HR", "行政人事部", "HQ"),
    ("SALES", "业务部", "HQ"),
    ("BIZM", "业务管理部", "HQ"),
    ("MAT", "物资管理室", "BIZM"),
    ("PROD", "生产管理部", "HQ"),
    ("PUR", "采购部", "HQ"),
    ("WH", "仓库", "PROD"),
    ("LOG", "物流组", "PROD"),
    ("AS", "售后服务组", "CS"),
    ("TECH", "技术服务部", "HQ"),
    ("MKT", "市场部", "HQ"),
    ("FIN", "财务部", "HQ"),
    ("ENG", "工程部", "HQ"),
    ("IT", "信息中心", "HQ"),
    ("SEC", "保安部", "HQ"),
    ("STORE", "门店", "SALES"),
]

POSITIONS: list[tuple[str, str]] = [
    ("总经理", Level.GM),
    ("副总经理", Level.DEPUTY_GM),
    ("客服部经理", Level.DEPARTMENT_HEAD),
    ("部门经理", Level.DEPARTMENT_HEAD),
    ("副部长", Level.SUPERVISOR),
    ("客服主管", Level.SUPERVISOR),
    ("组长", Level.TEAM_LEAD),
    ("客服代表", Level.AGENT),
    ("考勤员", Level.AGENT),
    ("仓库管理员", Level.AGENT),
    ("项目经理", Level.SUPERVISOR),
    ("技术人员", Level.AGENT),
    ("行政专员", Level.AGENT),
    ("系统管理员", Level.AGENT),
]

CS_TEAMS: list[tuple[str, str]] = [
    ("售前组", Speciality.PRESALES),
    ("售后组", Speciality.AFTERSALES),
    ("订单受理组", Speciality.ORDER_ENTRY),
    ("投诉受理组", Speciality.COMPLAINTS),
    ("回访组", Speciality.RETURN_VISIT),
]

SURNAMES = "王李张刘陈杨黄赵吴周徐孙马朱胡郭何高林罗郑梁谢宋唐许韩冯邓曹彭曾肖田董袁潘蒋蔡余杜叶程苏魏吕丁任沈"
GIVEN = [
    "伟",
    "芳",
    "娜",
    "秀英",
    "敏",
    "静",
    "丽",
    "强",
    "磊",
    "军",
    "洋",
    "勇",
    "艳",
    "杰",
    "娟",
    "涛",
    "明",
    "超",
    "秀兰",
    "霞",
    "平",
    "刚",
    "桂英",
    "晓燕",
    "婷",
    "雪",
    "慧",
    "鑫",
    "宇",
    "欣怡",
    "子涵",
    "浩然",
    "雨桐",
    "思远",
    "佳琪",
    "志豪",
    "梦洁",
    "文博",
    "嘉怡",
    "俊杰",
]

# (工号, 姓名, 部门, 职位, 角色, 上级工号, 班组)
LEADERS: list[tuple[str, str, str, str, str, str | None]] = [
    ("G001", "王建国", "HQ", "总经理", Role.GM, None),
    ("G002", "李志强", "HQ", "副总经理", Role.DEPUTY_GM, "G001"),
    ("KF001", "张丽华", "CS", "客服部经理", Role.CS_MANAGER, "G002"),
    ("KF002", "陈静", "CS", "客服主管", Role.SUPERVISOR, "KF001"),
    ("KF003", "刘洋", "CS", "客服主管", Role.SUPERVISOR, "KF001"),
    ("HR001", "赵敏", "HR", "部门经理", Role.HR, "G002"),
    ("HR002", "吴婷", "HR", "行政专员", Role.HR, "HR001"),
    ("IT001", "周杰", "IT", "系统管理员", Role.SYSADMIN, "G002"),
    ("CK001", "孙强", "WH", "仓库管理员", Role.WAREHOUSE, "G002"),
    ("CK002", "马刚", "WH", "仓库管理员", Role.WAREHOUSE, "CK001"),
    ("JS001", "郭涛", "TECH", "部门经理", Role.AGENT, "G002"),
    ("JS002", "何磊", "TECH", "技术人员", Role.AGENT, "JS001"),
    ("JS003", "林军", "TECH", "项目经理", Role.AGENT, "JS001"),
    ("YW001", "高明", "SALES", "部门经理", Role.AGENT, "G002"),
    ("CW001", "罗芳", "FIN", "部门经理", Role.AGENT, "G002"),
]
DEPARTMENT_HEADS = {
    "HQ": "G001",
    "CS": "KF001",
    "HR": "HR001",
    "IT": "IT001",
    "WH": "CK001",
    "TECH": "JS001",
    "SALES": "YW001",
    "FIN": "CW001",
}


class Command(BaseCommand):
    help = "Load the demo company (idempotent) and print the demo logins."

    def add_arguments(self, parser: Any) -> None:
        parser.add_argument("--quiet", action="store_true", help="do not print the logins")

    @transaction.atomic
    def handle(self, *args: Any, **options: Any) -> None:
        User = get_user_model()
        admin = User.objects.filter(username=ADMIN_USERNAME).first()
        if admin is None:
            admin = User.objects.create_superuser(
                ADMIN_USERNAME, "", DEMO_PASSWORD, first_name="系统管理员"
            )
        rng = random.Random(20261122)  # fixed seed: the same company on every machine

        departments = self._departments(admin)
        positions = self._positions(admin)
        employees = {e.employee_no: e for e in Employee.objects.select_related("position")}

        def hire(
            no: str,
            name: str,
            dept: str,
            position: str,
            role: str,
            superior: str | None,
            team: Team | None = None,
            speciality: str = "",
        ) -> Employee:
            if no in employees:
                return employees[no]
            hired = dt.date(2018, 3, 1) + dt.timedelta(days=rng.randint(0, 2500))
            employee = services.employee_create(
                actor=admin,
                employee_no=no,
                name=name,
                hire_date=hired,
                department=departments[dept],
                position=positions[position],
                phone=f"13{rng.randint(0, 9)}{rng.randint(10000000, 99999999)}",
                team=team,
                superior=employees.get(superior) if superior else None,
                speciality=speciality,
                base_points=Decimal(rng.choice(["1.0", "1.0", "1.2", "1.5"])),
                monthly_bonus=Decimal(rng.choice(["800", "1000", "1200", "1500"])),
                roles=[role],
            )
            employees[no] = employee
            return employee

        for no, name, dept, position, role, superior in LEADERS:
            hire(no, name, dept, position, role, superior)

        for code, head_no in DEPARTMENT_HEADS.items():
            dept = departments[code]
            if dept.head_id is None:
                services.department_update(actor=admin, department=dept, head=employees[head_no])

        used_names = {e.name for e in employees.values()}
        serial = 10
        for index, (team_name, speciality) in enumerate(CS_TEAMS):
            team = Team.objects.filter(department=departments["CS"], name=team_name).first()
            if team is None:
                team = services.team_create(
                    actor=admin, department=departments["CS"], name=team_name
                )
            supervisor = "KF002" if index < 3 else "KF003"
            lead_no = f"KF{serial:03d}"
            serial += 1
            lead = hire(
                lead_no,
                self._name(rng, used_names),
                "CS",
                "组长",
                Role.TEAM_LEAD,
                supervisor,
                team,
                speciality,
            )
            if team.leader_id is None:
                services.team_update(actor=admin, team=team, leader=lead)
            for _ in range(7):
                hire(
                    f"KF{serial:03d}",
                    self._name(rng, used_names),
                    "CS",
                    "客服代表",
                    Role.AGENT,
                    lead_no,
                    team,
                    speciality,
                )
                serial += 1
        hire("KF050", self._name(rng, used_names), "CS", "考勤员", Role.AGENT, "KF002")
        for n in range(2):
            hire(
                f"SH{n + 1:03d}",
                self._name(rng, used_names),
                "AS",
                "技术人员",
                Role.AFTER_SALES,
                "KF001",
            )
        # 回访员 (AS-4, CRM-4) and 订单员 (AS-6, AS-8) of the 售后服务组.
        hire("HF001", self._name(rng, used_names), "AS", "客服代表", Role.RETURN_VISITOR, "KF001")
        hire("HF002", self._name(rng, used_names), "AS", "客服代表", Role.RETURN_VISITOR, "KF001")
        hire("DD001", self._name(rng, used_names), "AS", "客服代表", Role.ORDER_CLERK, "KF001")

        # Other apps add their demo data through an AppConfig.seed_demo(actor) hook, in app order.
        for config in apps.get_app_configs():
            if config.name.startswith("kefu.") and hasattr(config, "seed_demo"):
                config.seed_demo(admin)

        # One hash for every demo account: hashing 60 passwords one by one takes ~20 s.
        demo_hash = make_password(DEMO_PASSWORD)
        User.objects.filter(employee__isnull=False, password__startswith="!").update(
            password=demo_hash
        )
        if not options["quiet"]:
            self._print_logins()

    def _departments(self, admin: Any) -> dict[str, Department]:
        found = {d.code: d for d in Department.objects.all()}
        for order, (code, name, parent) in enumerate(DEPARTMENTS):
            if code not in found:
                found[code] = services.department_create(
                    actor=admin,
                    name=name,
                    code=code,
                    parent=found[parent] if parent else None,
                    sort_order=order,
                )
        return found

    def _positions(self, admin: Any) -> dict[str, Position]:
        found = {p.name: p for p in Position.objects.all()}
        for name, level in POSITIONS:
            if name not in found:
                found[name] = services.position_create(actor=admin, name=name, level=level)
        return found

    @staticmethod
    def _name(rng: random.Random, used: set[str]) -> str:
        while True:
            name = rng.choice(SURNAMES) + rng.choice(GIVEN)
            if name not in used:
                used.add(name)
                return name

    def _print_logins(self) -> None:
        rows = [
            ("系统管理员（超级用户）", ADMIN_USERNAME),
            ("系统管理员", "IT001"),
            ("总经理", "G001"),
            ("副总经理", "G002"),
            ("客服部经理", "KF001"),
            ("客服主管", "KF002"),
            ("组长", "KF010"),
            ("客服代表", "KF011"),
            ("行政人事部", "HR001"),
            ("仓库管理员", "CK001"),
        ]
        self.stdout.write("")
        self.stdout.write(
            f"演示账号（密码均为 {DEMO_PASSWORD}）/ demo logins, password {DEMO_PASSWORD}:"
        )
        for label, username in rows:
            self.stdout.write(f"  {label:<14} {username}")
        self.stdout.write("")
