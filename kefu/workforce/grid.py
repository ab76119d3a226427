"""Roster grid — 排班表网格: one roster version as people × days with colours, totals per person
and per day, demand per day and shift, and the coverage shortfalls (WFM-2).

Shared by the grid page, its print view, the Excel export and the API. A handful of queries
whatever the size: the cells with names, skills, coverage, the calendar, the team's layout.
"""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from dataclasses import dataclass, field

from kefu.core.models import CalendarDay

from . import selectors
from .choices import TO_FILL_NOTE
from .models import Roster, RosterEntry
from .policy import roster_policy
from .rostering.checker import coverage_shortfalls, shortfall_total
from .rostering.problem import LEAVE, REST, Demand, Person, RosterProblem, Shortfall
from .services.problem import layout_specs
from .shifts import shift_names

WEEKDAY_SHORT = "一二三四五六日"
KNOWN_CSS = {"day", "night", "evening", "sunday", "early", "middle", "graveyard", "rest", "leave"}


def code_css(code: str) -> str:
    """CSS class of a cell code (colour per shift; unknown shifts share one colour)."""
    return f"c-{code}" if code in KNOWN_CSS else ("c-other" if code else "c-empty")


def short_labels(names: dict[str, str], codes: list[str]) -> dict[str, str]:
    """One-character labels for the grid (白 晚 夜 …, 休, 假); the full name where two clash."""
    out = {REST: "休", LEAVE: "假"}
    used = set(out.values())
    for code in codes:
        if code in out:
            continue
        name = names.get(code, code)
        first = name[:1] or code[:1]
        if first in used:
            out[code] = name
        else:
            out[code] = first
            used.add(first)
    return out


@dataclass
class GridDay:
    day: dt.date
    weekday: str
    weekend: bool
    holiday: str  # 法定节假日 name, "" otherwise
    adjusted: bool  # 调休上班

    @property
    def css(self) -> str:
        if self.holiday:
            return "d-holiday"
        if self.adjusted:
            return "d-adjusted"
        return "d-weekend" if self.weekend else ""


@dataclass
class GridCell:
    day: dt.date
    code: str
    label: str
    name: str
    css: str
    source: str = ""
    to_fill: bool = False  # 待排班: given back by 销假 with no known shift; the lead fills it


@dataclass
class GridRow:
    employee_id: int
    name: str
    employee_no: str
    cells: list[GridCell]
    counts: list[int]  # per shift of the layout, in order
    rest: int
    leave: int
    other: int  # cells of shifts outside the layout

    @property
    def work(self) -> int:
        return sum(self.counts) + self.other


@dataclass
class DayFigure:
    count: int
    need: int | None
    short: bool


@dataclass
class ShiftTotals:
    code: str
    name: str
    css: str
    days: list[DayFigure]


@dataclass
class Grid:
    roster: Roster
    days: list[GridDay]
    rows: list[GridRow]
    shifts: list[tuple[str, str, str]]  # (code, name, css) of the layout
    totals: list[ShiftTotals]
    rest_per_day: list[int]
    shortfalls: list[Shortfall]
    shortfall_texts: list[str]
    labels: dict[str, str]
    names: dict[str, str]
    legend: list[tuple[str, str, str]] = field(default_factory=list)  # (label, name, css)

    @property
    def shortfall_total(self) -> int:
        return shortfall_total(self.shortfalls)


def calendar_days(month: dt.date) -> list[GridDay]:
    """The month's days with weekend, holiday (name) and 调休 marks (one query)."""
    days = selectors.month_days(month)
    rows = {
        d: (kind, name)
        for d, kind, name in CalendarDay.objects.filter(
            date__range=(days[0], days[-1])
        ).values_list("date", "kind", "name")
    }
    out = []
    for d in days:
        kind, name = rows.get(d, ("", ""))
        out.append(
            GridDay(
                day=d,
                weekday=WEEKDAY_SHORT[d.weekday()],
                weekend=d.weekday() >= 5,
                holiday=(name or "节假日") if kind == "holiday" else "",
                adjusted=kind == "adjusted_workday",
            )
        )
    return out


def build_grid(roster: Roster) -> Grid:
    """The grid of one roster version (any status)."""
    month = roster.month
    days = calendar_days(month)
    day_list = [d.day for d in days]
    index = {d: i for i, d in enumerate(day_list)}
    specs = layout_specs(roster.team_id, month)
    layout_codes = [s.code for s in specs]
    names = shift_names(month)
    labels = short_labels(names, [*layout_codes, *sorted(set(names) - set(layout_codes))])
    entries = (
        RosterEntry.objects.filter(roster=roster)
        .values_list(
            "employee_id",
            "employee__name",
            "employee__employee_no",
            "day",
            "code",
            "source",
            "note",
        )
        .order_by("employee__employee_no", "day")
    )
    people: dict[int, tuple[str, str]] = {}
    cells: dict[int, dict[dt.date, tuple[str, str]]] = defaultdict(dict)
    to_fill: set[tuple[int, dt.date]] = set()
    for emp, name, no, day, code, source, note in entries:
        people.setdefault(emp, (name, no))
        cells[emp][day] = (code, source)
        if code == REST and note.startswith(TO_FILL_NOTE):
            to_fill.add((emp, day))
    rows = []
    per_day: dict[str, list[int]] = {c: [0] * len(days) for c in layout_codes}
    rest_per_day = [0] * len(days)
    for emp, (name, no) in people.items():
        counts = dict.fromkeys(layout_codes, 0)
        rest = leave = other = 0
        row_cells = []
        for d in day_list:
            code, source = cells[emp].get(d, ("", ""))
            if code == REST:
                rest += 1
                rest_per_day[index[d]] += 1
            elif code == LEAVE:
                leave += 1
            elif code in counts:
                counts[code] += 1
                per_day[code][index[d]] += 1
            elif code:
                other += 1
            row_cells.append(
                GridCell(
                    day=d,
                    code=code,
                    label=labels.get(code, code[:2]),
                    name=names.get(code, code),
                    css=code_css(code),
                    source=source,
                    to_fill=(emp, d) in to_fill,
                )
            )
        rows.append(
            GridRow(
                employee_id=emp,
                name=name,
                employee_no=no,
                cells=row_cells,
                counts=[counts[c] for c in layout_codes],
                rest=rest,
                leave=leave,
                other=other,
            )
        )
    demands = tuple(
        Demand(
            day=r.day,
            shift=r.shift_code,
            min_people=r.min_people,
            skills={k: int(v) for k, v in (r.skills or {}).items() if int(v) > 0},
        )
        for r in selectors.coverage_rows(roster.team_id, month)
        if r.shift_code in per_day
    )
    skills = selectors.skills_by_employee(people)
    problem = RosterProblem(
        days=tuple(day_list),
        shifts=specs,
        people=tuple(
            Person(id=e, name=people[e][0], skills=skills.get(e, frozenset())) for e in people
        ),
        demands=demands,
    )
    assignment = {(e, d): c for e, row in cells.items() for d, (c, _) in row.items()}
    shortfalls = list(coverage_shortfalls(problem, assignment))
    short_keys = {(s.day, s.shift) for s in shortfalls}
    need = {(dm.day, dm.shift): dm.min_people for dm in demands}
    totals = [
        ShiftTotals(
            code=c,
            name=names.get(c, c),
            css=code_css(c),
            days=[
                DayFigure(
                    count=per_day[c][i],
                    need=need.get((d, c)),
                    short=(d, c) in short_keys,
                )
                for i, d in enumerate(day_list)
            ],
        )
        for c in layout_codes
    ]
    skill_names = roster_policy(month).skill_names()
    texts = []
    for s in shortfalls:
        who = f"{skill_names.get(s.skill, s.skill)}" if s.skill else ""
        texts.append(
            f"{s.day.month}月{s.day.day}日 {names.get(s.shift, s.shift)} 缺{who}{s.missing}人"
        )
    legend = [(labels[c], names.get(c, c), code_css(c)) for c in layout_codes]
    legend += [(labels[REST], "休息", code_css(REST)), (labels[LEAVE], "请假", code_css(LEAVE))]
    return Grid(
        roster=roster,
        days=days,
        rows=rows,
        shifts=[(c, names.get(c, c), code_css(c)) for c in layout_codes],
        totals=totals,
        rest_per_day=rest_per_day,
        shortfalls=shortfalls,
        shortfall_texts=texts,
        labels=labels,
        names=names,
        legend=legend,
    )
