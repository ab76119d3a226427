"""Sidebar menu — 左侧菜单: the active item is the longest matching one, never two at once."""

from __future__ import annotations

from typing import Any

import pytest

from kefu.core.menu import breadcrumb_for, menu_for

pytestmark = pytest.mark.django_db


def _active(user: Any, path: str) -> list[str]:
    return [i["label"] for g in menu_for(user, path) for i in g["items"] if i["active"]]


def test_the_longest_prefix_wins(org: dict[str, Any]) -> None:
    manager = org["manager"].user
    assert _active(manager, "/complaints/stats/") == ["投诉统计"]
    assert _active(manager, "/complaints/findings/") == ["责任认定"]
    assert _active(manager, "/complaints/12/") == ["投诉列表"]
    assert _active(manager, "/tickets/5/") == ["工单列表"]
    assert breadcrumb_for(manager, "/complaints/stats/")[-1]["label"] == "投诉统计"


def test_items_follow_permissions(org: dict[str, Any]) -> None:
    labels = [i["label"] for g in menu_for(org["warehouse"].user, "/") for i in g["items"]]
    assert "工单列表" not in labels and "投诉列表" not in labels
    agent = [i["label"] for g in menu_for(org["agent_a1"].user, "/") for i in g["items"]]
    assert {"坐席工作台", "工单列表", "投诉列表"} <= set(agent)
    assert "投诉统计" not in agent
