"""Survey rules — 满意度调查的规则: answer checking and the statistics, as plain functions.

Nothing here touches the database: the services and selectors hand rows in and get data back,
and the tests check these functions exhaustively (with hypothesis) and compare the database
aggregation with ``stats_from_rows``.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import secrets
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

from .choices import RATING_MAX, RATING_MIN, QuestionKind

# --- tokens ---------------------------------------------------------------------------------------
TOKEN_BYTES = 24  # 32 URL-safe characters: unguessable, short enough for an SMS


def hash_token(raw: str) -> str:
    """The stored form of a public link's token (the raw token is never stored)."""
    return hashlib.sha256(raw.encode("utf-8")).hexdigest()


def new_token() -> tuple[str, str]:
    """A fresh one-time token and its hash."""
    raw = secrets.token_urlsafe(TOKEN_BYTES)
    return raw, hash_token(raw)


# --- answers --------------------------------------------------------------------------------------
@dataclass(frozen=True)
class QuestionSpec:
    """What checking an answer needs to know of a question."""

    id: int
    kind: str
    text: str
    required: bool
    is_overall: bool = False
    options: tuple[str, ...] = ()


@dataclass(frozen=True)
class CleanAnswer:
    question_id: int
    rating: int | None = None
    choices: tuple[str, ...] = ()
    text: str = ""


@dataclass
class CheckedAnswers:
    answers: list[CleanAnswer] = field(default_factory=list)
    errors: dict[str, str] = field(default_factory=dict)
    overall_rating: int | None = None


TEXT_MAX = 2000


def _as_list(value: Any) -> list[str]:
    if value is None or value == "":
        return []
    if isinstance(value, (list, tuple)):
        return [str(v) for v in value if str(v) != ""]
    return [str(value)]


def check_answers(questions: Sequence[QuestionSpec], raw: Mapping[int, Any]) -> CheckedAnswers:
    """Check what a customer (or an agent for them) answered against the version's questions.

    ``raw`` maps question id → a rating ("4" or 4), an option, a list of options, or text.
    Errors are keyed ``q<id>`` with a Chinese message; answers to unknown questions are ignored.
    An empty optional answer is left out (no row).
    """
    out = CheckedAnswers()
    for q in questions:
        key = f"q{q.id}"
        value = raw.get(q.id)
        if q.kind == QuestionKind.RATING:
            text = "" if value is None else str(value).strip()
            if not text:
                if q.required:
                    out.errors[key] = "请选择评分"
                continue
            try:
                rating = int(text)
            except ValueError:
                out.errors[key] = "评分必须是1到5之间的整数"
                continue
            if not RATING_MIN <= rating <= RATING_MAX:
                out.errors[key] = "评分必须是1到5之间的整数"
                continue
            out.answers.append(CleanAnswer(q.id, rating=rating))
            if q.is_overall:
                out.overall_rating = rating
        elif q.kind in (QuestionKind.SINGLE, QuestionKind.MULTIPLE):
            picked = _as_list(value)
            if not picked:
                if q.required:
                    out.errors[key] = "请选择"
                continue
            if q.kind == QuestionKind.SINGLE and len(picked) > 1:
                out.errors[key] = "只能选择一项"
                continue
            unknown = [p for p in picked if p not in q.options]
            if unknown:
                out.errors[key] = "所选项不在选项中"
                continue
            # Options keep the questionnaire's order, whatever order the browser sent.
            ordered = tuple(o for o in q.options if o in set(picked))
            out.answers.append(CleanAnswer(q.id, choices=ordered))
        else:
            text = "" if value is None else str(value).strip()
            if not text:
                if q.required:
                    out.errors[key] = "请填写"
                continue
            if len(text) > TEXT_MAX:
                out.errors[key] = f"不能超过{TEXT_MAX}字"
                continue
            out.answers.append(CleanAnswer(q.id, text=text))
    if not out.errors and out.overall_rating is None:
        out.errors["overall"] = "问卷缺少总体满意度评分"
    return out


def publish_problems(questions: Sequence[QuestionSpec]) -> dict[str, str]:
    """Why a draft cannot be published yet ({} when it can)."""
    problems: dict[str, str] = {}
    if not questions:
        problems["questions"] = "问卷至少要有一道题目"
    overall = [q for q in questions if q.is_overall]
    if len(overall) != 1:
        problems["is_overall"] = "必须且只能有一道“总体满意度”题"
    elif overall[0].kind != QuestionKind.RATING or not overall[0].required:
        problems["is_overall"] = "总体满意度题必须是必答的评分题"
    for q in questions:
        if q.kind in (QuestionKind.SINGLE, QuestionKind.MULTIPLE) and len(q.options) < 2:
            problems[f"q{q.id}"] = f"选择题“{q.text}”至少要有两个选项"
    return problems


def clean_options(raw: Iterable[str] | str) -> list[str]:
    """Options from a list or from text with one option per line; blanks and repeats dropped."""
    items = raw.splitlines() if isinstance(raw, str) else list(raw)
    seen: list[str] = []
    for item in items:
        text = str(item).strip()
        if text and text not in seen:
            seen.append(text[:100])
    return seen


# --- statistics -----------------------------------------------------------------------------------
@dataclass(frozen=True)
class ResponseRow:
    """One response as the statistics see it (the denormalised columns of 答卷)."""

    overall_rating: int
    satisfied: bool
    agent_id: int | None = None
    department_id: int | None = None
    product_id: int | None = None
    month: dt.date | None = None


@dataclass(frozen=True)
class Group:
    """One line of a breakdown: ``key`` (an id, a month, or None for 未指定)."""

    key: Any
    count: int
    satisfied: int

    @property
    def rate(self) -> float | None:
        return rate(self.satisfied, self.count)


@dataclass(frozen=True)
class Stats:
    """满意度统计: the totals, the 1–5 distribution and the breakdowns."""

    count: int
    satisfied: int
    distribution: dict[int, int]
    by_agent: list[Group]
    by_department: list[Group]
    by_product: list[Group]
    by_month: list[Group]

    @property
    def rate(self) -> float | None:
        return rate(self.satisfied, self.count)


DIMENSIONS = ("agent", "department", "product", "month")


def rate(satisfied: int, count: int) -> float | None:
    """满意率 in percent with one decimal (None when nobody answered)."""
    if count <= 0:
        return None
    return round(100.0 * satisfied / count, 1)


def _sort_groups(groups: Iterable[Group], *, by_key: bool) -> list[Group]:
    if by_key:  # months: chronological
        return sorted(groups, key=lambda g: (g.key is None, g.key or dt.date.min))
    # Others: most answers first, then a stable key order (None last).
    return sorted(groups, key=lambda g: (-g.count, g.key is None, g.key or 0))


def full_distribution(counts: Mapping[int, int]) -> dict[int, int]:
    """Every rating 1–5 present, zeros included."""
    return {r: int(counts.get(r, 0)) for r in range(RATING_MIN, RATING_MAX + 1)}


def assemble_stats(
    *,
    distribution: Mapping[int, tuple[int, int]],
    groups: Mapping[str, Iterable[tuple[Any, int, int]]],
) -> Stats:
    """Stats from grouped rows: ``distribution`` rating → (count, satisfied); ``groups`` dimension
    → (key, count, satisfied) rows. Total and satisfied come from the distribution."""
    return build_stats(
        count=sum(c for c, _ in distribution.values()),
        satisfied=sum(s for _, s in distribution.values()),
        distribution={r: c for r, (c, _) in distribution.items()},
        groups=groups,
    )


def build_stats(
    *,
    count: int,
    satisfied: int,
    distribution: Mapping[int, int],
    groups: Mapping[str, Iterable[tuple[Any, int, int]]],
) -> Stats:
    """Stats from totals, the rating → count distribution and the (key, count, satisfied) rows of
    each dimension; rows of the same key are added up, rows counting nothing are dropped."""
    built: dict[str, list[Group]] = {}
    for dim in DIMENSIONS:
        acc: dict[Any, list[int]] = {}
        for key, c, s in groups.get(dim, ()):
            cell = acc.setdefault(key, [0, 0])
            cell[0] += int(c)
            cell[1] += int(s or 0)
        built[dim] = _sort_groups(
            (Group(k, c, s) for k, (c, s) in acc.items() if c), by_key=dim == "month"
        )
    return Stats(
        count=int(count or 0),
        satisfied=int(satisfied or 0),
        distribution=full_distribution(distribution),
        by_agent=built["agent"],
        by_department=built["department"],
        by_product=built["product"],
        by_month=built["month"],
    )


def merge_stats(parts: Iterable[Stats]) -> Stats:
    """The statistics of the union of disjoint sets of answers (the month summaries plus the
    answers of the partial months at the ends of a date range)."""
    parts = list(parts)
    distribution: dict[int, int] = {}
    for p in parts:
        for r, c in p.distribution.items():
            distribution[r] = distribution.get(r, 0) + c
    dims = {
        "agent": lambda p: p.by_agent,
        "department": lambda p: p.by_department,
        "product": lambda p: p.by_product,
        "month": lambda p: p.by_month,
    }
    return build_stats(
        count=sum(p.count for p in parts),
        satisfied=sum(p.satisfied for p in parts),
        distribution=distribution,
        groups={
            dim: [(g.key, g.count, g.satisfied) for p in parts for g in get(p)]
            for dim, get in dims.items()
        },
    )


def stats_from_rows(rows: Iterable[ResponseRow]) -> Stats:
    """The reference statistics computed in Python (the database selector must agree)."""
    dist: dict[int, list[int]] = {}
    acc: dict[str, dict[Any, list[int]]] = {d: {} for d in DIMENSIONS}
    for row in rows:
        cell = dist.setdefault(row.overall_rating, [0, 0])
        cell[0] += 1
        cell[1] += int(row.satisfied)
        for dim, key in (
            ("agent", row.agent_id),
            ("department", row.department_id),
            ("product", row.product_id),
            ("month", row.month),
        ):
            g = acc[dim].setdefault(key, [0, 0])
            g[0] += 1
            g[1] += int(row.satisfied)
    return assemble_stats(
        distribution={r: (c, s) for r, (c, s) in dist.items()},
        groups={d: [(k, c, s) for k, (c, s) in acc[d].items()] for d in DIMENSIONS},
    )


def month_of(day: dt.date) -> dt.date:
    return day.replace(day=1)


def next_month(month: dt.date) -> dt.date:
    return dt.date(month.year + (month.month == 12), month.month % 12 + 1, 1)


def month_end(month: dt.date) -> dt.date:
    if month.month == 12:
        return dt.date(month.year, 12, 31)
    return next_month(month) - dt.timedelta(days=1)


# The calendar's ends, where "the next/previous month" does not exist: such ranges are read from
# the answers alone (no answer is ever dated there; this only keeps odd URLs from failing).
_FIRST_SAFE, _LAST_SAFE = dt.date(1, 2, 1), dt.date(9999, 11, 30)


@dataclass(frozen=True)
class RangeSplit:
    """A date range split for the statistics: the whole months read from the month summaries
    (``months`` False = none; ``first``/``last`` None = unbounded) and the days at the ends read
    from the answers themselves (``edges``: inclusive day ranges)."""

    months: bool
    first: dt.date | None
    last: dt.date | None
    edges: tuple[tuple[dt.date, dt.date], ...]


def split_range(date_from: dt.date | None, date_to: dt.date | None) -> RangeSplit:
    """Split [date_from, date_to] (either may be open) into whole months and the edge days.

    Every day of the range falls in exactly one part (tested with hypothesis): a whole month is
    one that starts on or after ``date_from`` and ends on or before ``date_to``.
    """
    if date_from and date_to and date_from > date_to:
        return RangeSplit(False, None, None, ())
    if (date_from and date_from > _LAST_SAFE) or (date_to and date_to < _FIRST_SAFE):
        return RangeSplit(False, None, None, ((date_from or dt.date.min, date_to or dt.date.max),))
    first = None
    if date_from is not None:
        first = date_from if date_from.day == 1 else next_month(month_of(date_from))
    last = None
    if date_to is not None:
        last = month_of(date_to) if date_to == month_end(month_of(date_to)) else None
        if last is None:
            last = month_of(month_of(date_to) - dt.timedelta(days=1))
    if first is not None and last is not None and first > last:
        return RangeSplit(False, None, None, ((date_from, date_to),))  # type: ignore[arg-type]
    edges: list[tuple[dt.date, dt.date]] = []
    if date_from is not None and first is not None and date_from < first:
        edges.append((date_from, first - dt.timedelta(days=1)))
    if date_to is not None and last is not None and month_end(last) < date_to:
        edges.append((month_end(last) + dt.timedelta(days=1), date_to))
    return RangeSplit(True, first, last, tuple(edges))


def campaign_month_due(months: Sequence[int], today: dt.date) -> bool:
    """Is ``today`` in one of the policy's concentrated survey months (集中调查月份)?"""
    return today.month in months
