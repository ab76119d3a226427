"""call_service_for_form: how a page's form shows what a service refused."""

from __future__ import annotations

import pytest
from django import forms
from django.core.exceptions import PermissionDenied

from kefu.core.errors import DomainError, PermissionDeniedError, call_service_for_form


class _Form(forms.Form):
    reason = forms.CharField(required=False)


def _ok(**kwargs: object) -> str:
    return f"done {kwargs['x']}"


def _rule(**kwargs: object) -> None:
    raise DomainError("need_reason", "请填写原因", fields={"reason": "请填写原因"})


def _refuse(**kwargs: object) -> None:
    raise PermissionDeniedError("不是当前审批人")


def test_result_passes_through_rule_goes_beside_field_refusal_is_403():
    form = _Form({"reason": ""})
    assert form.is_valid()
    assert call_service_for_form(form, _ok, x=1) == "done 1"
    assert call_service_for_form(form, _rule) is None
    assert form.errors == {"reason": ["请填写原因"]}
    with pytest.raises(PermissionDenied, match="不是当前审批人"):
        call_service_for_form(_Form({}), _refuse)


def test_raise_if_refused_maps_403_and_404_and_lets_rules_through():
    from django.http import Http404

    from kefu.core.errors import raise_if_refused

    with pytest.raises(PermissionDenied):
        raise_if_refused(DomainError("x", "不可", status=403))
    with pytest.raises(Http404):
        raise_if_refused(DomainError("gone", "用料记录不存在", status=404))
    assert raise_if_refused(DomainError("rule", "请填写原因")) is None
