"""seed_scale — 规模测试数据: a large synthetic company for load tests and the benchmark harness.

Shape (one company under its own root department 规模测试总部, code ``SC-HQ``)::

    总经理 → 2 副总经理 → 行政人事部 (经理 + 行政专员)
                       → D 个客服中心, each: 客服部经理 → 客服主管 (one per 4 班组)
                                              → T 个班组, each: 组长 → 客服代表

Rows are written with ``bulk_create`` in batches, not through the services: hiring 10,000 people
one by one through ``employee_create`` (validation, audit chain, group sets) takes minutes, and
this data is synthetic. It is therefore **not audited** — there is no audit event for it.

Re-running is refused while the synthetic root department exists: topping up a tree whose shape
depends on --employees would leave a company nobody designed. Use a fresh database (bench/run.py
creates one) or ``manage.py flush`` first.
"""

from __future__ import annotations

import datetime as dt
import math
import random
import time
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any

from django.contrib.auth import get_user_model
from django.contrib.auth.hashers import UNUSABLE_PASSWORD_PREFIX, make_password
from django.contrib.auth.models import Group
from django.core.management.base import BaseCommand, CommandError
from django.db import connection, transaction
from django.utils import timezone
from django.utils.crypto import get_random_string

from kefu.org.choices import EmployeeStatus, Level, Role, Speciality
from kefu.org.models import Department, Employee, Position, Team

ROOT_CODE = "SC-HQ"
BENCH_PASSWORD = "kefu-bench-2026"
BATCH_SIZE = 1000
# 1 in LEFT_EVERY agents has left (离职), so dashboards and filters see both statuses.
LEFT_EVERY = 33
TEAMS_PER_SUPERVISOR = 4

# The known logins, one per role the benchmark needs (username = 工号).
BENCH_USERS: dict[str, str] = {
    Role.GM: "BENCH_GM",
    Role.HR: "BENCH_HR",
    Role.CS_MANAGER: "BENCH_MANAGER",
    Role.SUPERVISOR: "BENCH_SUP",
    Role.TEAM_LEAD: "BENCH_LEAD",
    Role.AGENT: "BENCH_AGENT",
}

POSITIONS: dict[str, tuple[str, str]] = {
    Role.GM: ("总经理", Level.GM),
    Role.DEPUTY_GM: ("副总经理", Level.DEPUTY_GM),
    "hr_head": ("部门经理", Level.DEPARTMENT_HEAD),
    Role.HR: ("行政专员", Level.AGENT),
    Role.CS_MANAGER: ("客服部经理", Level.DEPARTMENT_HEAD),
    Role.SUPERVISOR: ("客服主管", Level.SUPERVISOR),
    Role.TEAM_LEAD: ("组长", Level.TEAM_LEAD),
    Role.AGENT: ("客服代表", Level.AGENT),
}

CITIES: tuple[str, ...] = (
    "北京",
    "上海",
    "广州",
    "深圳",
    "杭州",
    "成都",
    "武汉",
    "南京",
    "西安",
    "重庆",
    "天津",
    "苏州",
    "长沙",
    "郑州",
    "青岛",
    "沈阳",
    "大连",
    "厦门",
    "合肥",
    "济南",
    "福州",
    "昆明",
    "哈尔滨",
    "长春",
    "石家庄",
    "南昌",
    "贵阳",
    "南宁",
    "太原",
    "兰州",
)
TEAM_KINDS: tuple[tuple[str, str], ...] = (
    ("售前", Speciality.PRESALES),
    ("售后", Speciality.AFTERSALES),
    ("订单受理", Speciality.ORDER_ENTRY),
    ("投诉受理", Speciality.COMPLAINTS),
    ("回访", Speciality.RETURN_VISIT),
)
SURNAMES = (
    "王李张刘陈杨黄赵吴周徐孙马朱胡郭何高林罗郑梁谢宋唐许韩冯邓曹彭曾肖田董袁潘蒋蔡余杜叶程苏魏吕丁"
    "任沈姚卢姜崔钟谭陆汪范金石廖贾夏韦付方白邹孟熊秦邱江尹薛闫段雷侯龙史陶黎贺顾毛郝龚邵万钱严"
)
GIVEN_CHARS = (
    "伟芳娜敏静丽强磊军洋勇艳杰娟涛明超兰霞平刚英华燕婷雪慧鑫宇欣涵浩然桐思远佳琪志豪梦洁文博嘉怡"
    "俊建国红玉萍春梅海波晨阳子轩雨晴诗琪晓东颖琳倩斌凯丹峰玲飞鹏彬坤瑶璐悦怡成龙娇瑞凡鸿新亮"
)
ID_WEIGHTS = (7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2)
ID_CHECK = "10X98765432"


@dataclass
class Person:
    """One synthetic employee before insertion; ``superior`` is filled in once it has a pk."""

    no: str
    role: str
    position_key: str
    department_key: str
    team_key: tuple[str, int] | None = None
    superior: Person | None = None
    speciality: str = ""
    left: bool = False
    employee: Employee | None = field(default=None, repr=False)


def default_departments(employees: int) -> int:
    """About 500 people per 客服中心, between 1 and 50 centres."""
    return max(1, min(50, employees // 500))


def default_teams(employees: int, departments: int) -> int:
    """About 15 people per 班组, between 1 and 40 teams per centre."""
    return max(1, min(40, round(employees / (departments * 15))))


def overhead(departments: int, teams: int) -> int:
    """People who are not agents: GM, 2 DGMs, HR head + 1 staff, and each centre's managers."""
    per_department = 1 + math.ceil(teams / TEAMS_PER_SUPERVISOR) + teams
    return 1 + 2 + 2 + departments * per_department


class Command(BaseCommand):
    help = (
        "Bulk-insert a large synthetic company (规模测试数据) for load tests: departments, teams, "
        "positions, users with role groups and employees with Chinese names and a reporting tree. "
        "Written with bulk_create, NOT through the services, so the rows are NOT audited. "
        "Refuses to run twice on the same database (root department SC-HQ exists). "
        f"Every login is unusable except the benchmark users {', '.join(BENCH_USERS.values())}, "
        "whose password is printed."
    )

    def add_arguments(self, parser: Any) -> None:
        parser.add_argument("--employees", type=int, required=True, help="number of employees")
        parser.add_argument(
            "--departments", type=int, default=None, help="客服中心 count (default ≈ N/500)"
        )
        parser.add_argument(
            "--teams-per-department",
            type=int,
            default=None,
            help="班组 per 客服中心 (default ≈ 15 people per team)",
        )
        parser.add_argument("--password", default=BENCH_PASSWORD, help="benchmark users' password")
        parser.add_argument("--seed", type=int, default=20261122, help="random seed")

    def handle(self, *args: Any, **options: Any) -> None:
        started = time.monotonic()
        n = options["employees"]
        if n < 1:
            raise CommandError("--employees 必须大于 0")
        departments = options["departments"] or default_departments(n)
        teams = options["teams_per_department"] or default_teams(n, departments)
        if departments < 1 or teams < 1:
            raise CommandError("--departments 与 --teams-per-department 必须大于 0")
        minimum = overhead(departments, teams) + 1  # at least the benchmark agent
        if n < minimum:
            raise CommandError(
                f"{departments} 个客服中心、每个 {teams} 个班组至少需要 {minimum} 名员工；"
                "请增大 --employees 或减少部门/班组数"
            )
        if Department.objects.filter(code=ROOT_CODE).exists():
            raise CommandError(
                f"规模测试数据已存在（部门编码 {ROOT_CODE}）。seed_scale 不会重复或追加数据："
                "请使用新的数据库，或先执行 manage.py flush。"
            )
        taken = get_user_model().objects.filter(username__in=BENCH_USERS.values())
        if taken.exists():
            raise CommandError(f"账号已存在：{', '.join(taken.values_list('username', flat=True))}")

        rng = random.Random(options["seed"])
        with transaction.atomic():
            counts = self._seed(rng, n, departments, teams, options["password"])
        self._analyze()
        elapsed = time.monotonic() - started
        self.stdout.write(
            f"规模测试数据已生成 / seeded: {counts['employees']} employees, "
            f"{counts['departments']} departments, {counts['teams']} teams in {elapsed:.1f}s "
            "(bulk insert, not audited)"
        )
        self.stdout.write(f"基准测试账号（密码 {options['password']}）/ benchmark logins:")
        for role, username in BENCH_USERS.items():
            self.stdout.write(f"  {username:<14} {Role(role).label}")

    @staticmethod
    def _analyze() -> None:
        # A bulk load leaves the planner without statistics until autovacuum gets round to it;
        # until then PostgreSQL plans 10,000 rows as if there were a handful (bad joins and sorts).
        tables = [Department, Team, Position, Employee, get_user_model(), Group]
        names = [m._meta.db_table for m in tables] + [
            get_user_model().groups.through._meta.db_table
        ]
        with connection.cursor() as cursor:
            if connection.vendor == "postgresql":
                cursor.execute("ANALYZE " + ", ".join(connection.ops.quote_name(n) for n in names))
            elif connection.vendor == "sqlite":
                cursor.execute("ANALYZE")

    # --- building ---------------------------------------------------------------------------
    def _seed(
        self, rng: random.Random, n: int, n_departments: int, n_teams: int, password: str
    ) -> dict[str, int]:
        positions = {
            key: Position.objects.get_or_create(name=name, defaults={"level": level})[0]
            for key, (name, level) in POSITIONS.items()
        }
        root = Department.objects.create(name="规模测试总部", code=ROOT_CODE, sort_order=1000)
        hr_dept = Department.objects.create(
            name="行政人事部", code="SC-HR", parent=root, sort_order=1
        )
        centres = Department.objects.bulk_create(
            [
                Department(
                    name=self._centre_name(i),
                    code=f"SC-CS{i + 1:03d}",
                    parent=root,
                    sort_order=10 + i,
                )
                for i in range(n_departments)
            ]
        )
        departments = {"root": root, "hr": hr_dept}
        departments.update({f"cs{i}": d for i, d in enumerate(centres)})
        team_rows = []
        for centre in centres:
            for j in range(n_teams):
                kind, _ = TEAM_KINDS[j % len(TEAM_KINDS)]
                team_rows.append(
                    Team(department=centre, name=f"{kind}{j // len(TEAM_KINDS) + 1}组")
                )
        teams = Team.objects.bulk_create(team_rows, batch_size=BATCH_SIZE)
        team_by_key = {
            (f"cs{i}", j): teams[i * n_teams + j]
            for i in range(n_departments)
            for j in range(n_teams)
        }

        people = self._plan(rng, n, n_departments, n_teams)
        self._insert(rng, people, positions, departments, team_by_key, password)

        # Heads and leaders point at the people planned for them (bulk_update: not audited either).
        heads = {p.department_key: p for p in people if p.role == Role.CS_MANAGER}
        heads["root"] = people[0]
        heads["hr"] = next(p for p in people if p.position_key == "hr_head")
        for key, dept in departments.items():
            dept.head = heads[key].employee
        Department.objects.bulk_update(list(departments.values()), ["head"])
        for p in people:
            if p.role == Role.TEAM_LEAD and p.team_key is not None:
                team_by_key[p.team_key].leader = p.employee
        Team.objects.bulk_update(teams, ["leader"], batch_size=BATCH_SIZE)
        return {"employees": len(people), "departments": len(departments), "teams": len(teams)}

    @staticmethod
    def _centre_name(i: int) -> str:
        city = CITIES[i % len(CITIES)]
        round_no = i // len(CITIES)
        return f"{city}客服中心" + (f"{round_no + 1}部" if round_no else "")

    def _plan(self, rng: random.Random, n: int, n_departments: int, n_teams: int) -> list[Person]:
        """The whole company in insertion order: every superior comes before its subordinates."""
        serial = iter(range(1, n + 1))
        bench_left = {role: no for role, no in BENCH_USERS.items()}

        def no_for(role: str) -> str:
            # The first person of each benchmark role gets the known login.
            return bench_left.pop(role, None) or f"SC{next(serial):06d}"

        gm = Person(no_for(Role.GM), Role.GM, Role.GM, "root")
        dgms = [
            Person(no_for(Role.DEPUTY_GM), Role.DEPUTY_GM, Role.DEPUTY_GM, "root", superior=gm)
            for _ in range(2)
        ]
        hr_head = Person(no_for(Role.HR), Role.HR, "hr_head", "hr", superior=dgms[1])
        people = [
            gm,
            *dgms,
            hr_head,
            Person(no_for(Role.HR), Role.HR, Role.HR, "hr", superior=hr_head),
        ]

        leaders: list[Person] = []
        for i in range(n_departments):
            key = f"cs{i}"
            manager = Person(
                no_for(Role.CS_MANAGER), Role.CS_MANAGER, Role.CS_MANAGER, key, superior=dgms[i % 2]
            )
            people.append(manager)
            supervisors = [
                Person(
                    no_for(Role.SUPERVISOR), Role.SUPERVISOR, Role.SUPERVISOR, key, superior=manager
                )
                for _ in range(math.ceil(n_teams / TEAMS_PER_SUPERVISOR))
            ]
            people.extend(supervisors)
            for j in range(n_teams):
                speciality = TEAM_KINDS[j % len(TEAM_KINDS)][1]
                lead = Person(
                    no_for(Role.TEAM_LEAD),
                    Role.TEAM_LEAD,
                    Role.TEAM_LEAD,
                    key,
                    team_key=(key, j),
                    superior=supervisors[j // TEAMS_PER_SUPERVISOR],
                    speciality=speciality,
                )
                leaders.append(lead)
        people.extend(leaders)

        # Agents are dealt round-robin over the teams so every team gets a similar size.
        remaining = n - len(people)
        for k in range(remaining):
            lead = leaders[k % len(leaders)]
            people.append(
                Person(
                    no_for(Role.AGENT),
                    Role.AGENT,
                    Role.AGENT,
                    lead.department_key,
                    team_key=lead.team_key,
                    superior=lead,
                    speciality=lead.speciality,
                    # The benchmark agent must be able to log in, so it never "leaves".
                    left=k > 0 and rng.randrange(LEFT_EVERY) == 0,
                )
            )
        return people

    def _insert(
        self,
        rng: random.Random,
        people: list[Person],
        positions: dict[str, Position],
        departments: dict[str, Department],
        teams: dict[tuple[str, int], Team],
        password: str,
    ) -> None:
        User = get_user_model()
        now = timezone.now()
        today = timezone.localdate()
        bench_hash = make_password(password)
        bench_nos = set(BENCH_USERS.values())
        names = [self._name(rng) for _ in people]
        users = User.objects.bulk_create(
            [
                User(
                    username=p.no,
                    first_name=name,
                    # Unusable like a freshly hired employee's login (no hashing per user).
                    password=bench_hash
                    if p.no in bench_nos
                    else UNUSABLE_PASSWORD_PREFIX + get_random_string(40),
                    is_active=not p.left,
                    date_joined=now,
                )
                for p, name in zip(people, names, strict=True)
            ],
            batch_size=BATCH_SIZE,
        )
        groups = {g.name: g.pk for g in Group.objects.filter(name__in=Role.labels)}
        missing = [r.label for r in Role if r.label not in groups]
        if missing:
            raise CommandError(f"缺少角色组：{', '.join(missing)}（请先执行 migrate）")
        Membership = User.groups.through
        Membership.objects.bulk_create(
            [
                Membership(user_id=u.pk, group_id=groups[Role(p.role).label])
                for p, u in zip(people, users, strict=True)
            ],
            batch_size=BATCH_SIZE,
        )

        # Insert level by level so each superior already has a primary key.
        level_of: dict[int, int] = {}
        for index, p in enumerate(people):
            level_of[id(p)] = level_of[id(p.superior)] + 1 if p.superior else 0
            p.employee = Employee(
                user=users[index],
                employee_no=p.no,
                name=names[index],
                phone=f"1{rng.choice('3456789')}{rng.randrange(10**9):09d}",
                id_number=self._id_number(rng),
                hire_date=today - dt.timedelta(days=rng.randint(30, 3650)),
                department=departments[p.department_key],
                team=teams[p.team_key] if p.team_key else None,
                position=positions[p.position_key],
                speciality=p.speciality,
                base_points=Decimal(rng.choice(("1.00", "1.00", "1.20", "1.50"))),
                monthly_bonus=Decimal(rng.choice(("800", "1000", "1200", "1500"))),
            )
            if p.left:
                p.employee.status = EmployeeStatus.LEFT
                p.employee.left_on = today - dt.timedelta(days=rng.randint(1, 29))
        for level in sorted(set(level_of.values())):
            batch = [p for p in people if level_of[id(p)] == level]
            for p in batch:
                if p.superior is not None:
                    p.employee.superior = p.superior.employee  # type: ignore[union-attr]
            Employee.objects.bulk_create([p.employee for p in batch], batch_size=BATCH_SIZE)

    @staticmethod
    def _name(rng: random.Random) -> str:
        given = rng.choice(GIVEN_CHARS)
        if rng.random() < 0.7:  # most given names have two characters
            given += rng.choice(GIVEN_CHARS)
        return rng.choice(SURNAMES) + given

    @staticmethod
    def _id_number(rng: random.Random) -> str:
        """An 18-digit 身份证号 of the right shape, with a valid check digit."""
        birth = dt.date(1975, 1, 1) + dt.timedelta(days=rng.randint(0, 365 * 28))
        body = f"{rng.choice((110101, 310101, 440103, 330102, 510104))}{birth:%Y%m%d}{rng.randrange(1000):03d}"
        check = ID_CHECK[sum(int(c) * w for c, w in zip(body, ID_WEIGHTS, strict=True)) % 11]
        return body + check
