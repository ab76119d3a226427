"""``audit.to_jsonable``'s direct path gives exactly the JSON round trip's result (SEC-3: the
audit chain hashes these values, so a difference would break verification of old events)."""

from __future__ import annotations

import datetime as dt
import enum
import json
from decimal import Decimal
from typing import Any

from hypothesis import given
from hypothesis import strategies as st

from kefu.core import audit
from kefu.core.models import AuditEvent


class Colour(enum.StrEnum):
    RED = "red"


class Level(enum.IntEnum):
    HIGH = 3


def _round_trip(value: Any) -> Any:
    plain = json.loads(json.dumps(value, default=audit._json_default, ensure_ascii=False))
    return audit._whole_floats_as_ints(plain)


scalars = st.one_of(
    st.none(),
    st.booleans(),
    st.integers(),
    st.text(),
    st.floats(allow_nan=False),
    st.datetimes(timezones=st.sampled_from([dt.UTC, dt.timezone(dt.timedelta(hours=8))])),
    st.dates(),
    st.times(),
    st.decimals(allow_nan=False, allow_infinity=False),
    st.just(Colour.RED),
    st.just(Level.HIGH),
    st.builds(lambda pk: AuditEvent(pk=pk), st.one_of(st.none(), st.integers(1, 10**12))),
)
values = st.recursive(
    scalars,
    lambda inner: st.one_of(
        st.lists(inner, max_size=4),
        st.tuples(inner, inner),
        st.dictionaries(st.one_of(st.text(), st.integers()), inner, max_size=4),
    ),
    max_leaves=20,
)


@given(values)
def test_same_as_the_json_round_trip(value: Any) -> None:
    expected = _round_trip(value)
    got = audit.to_jsonable(value)
    assert got == expected
    # Same JSON text too: types (1 vs True vs 1.0) and key order matter to the hash.
    assert json.dumps(got, ensure_ascii=False) == json.dumps(expected, ensure_ascii=False)


def test_snapshot_values_take_the_direct_path() -> None:
    snap = {
        "status": Colour.RED,
        "priority": Level.HIGH,
        "title": "漏水",
        "owner_id": 7,
        "team_id": None,
        "red_flag": False,
        "due": dt.datetime(2026, 11, 24, 1, 2, 3, 456789, tzinfo=dt.UTC),
        "amount": Decimal("12.50"),
        "tags": ["加急", "售后"],
    }
    assert audit._plain(snap) is not audit._UNSURE
    assert audit.to_jsonable(snap) == _round_trip(snap)
    assert audit._plain({"x": 1.5}) is audit._UNSURE  # floats keep the round trip
    assert audit._plain({1: "a"}) is audit._UNSURE  # so do keys that are not strings
