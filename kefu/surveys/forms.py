"""Survey forms — 满意度调查表单: questionnaire, question, invitation, campaign, stats filters."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django import forms

from kefu.core.params import query_choice, query_id

from .choices import Channel, QuestionKind

# Channels an agent records (the web link is the customer's own).
AGENT_CHANNELS = [(v, label) for v, label in Channel.choices if v != Channel.WEB]


class QuestionnaireForm(forms.Form):
    required_marks = True
    name = forms.CharField(label="问卷名称", max_length=100)
    title = forms.CharField(label="问卷标题（客户看到）", max_length=100, required=False)
    intro = forms.CharField(
        label="开场说明", required=False, widget=forms.Textarea(attrs={"rows": 2})
    )
    description = forms.CharField(
        label="说明（内部）", required=False, widget=forms.Textarea(attrs={"rows": 2})
    )


class VersionForm(forms.Form):
    title = forms.CharField(label="问卷标题（客户看到）", max_length=100)
    intro = forms.CharField(
        label="开场说明", required=False, widget=forms.Textarea(attrs={"rows": 2})
    )


class QuestionForm(forms.Form):
    kind = forms.ChoiceField(label="题型", choices=QuestionKind.choices)
    text = forms.CharField(label="题目", max_length=200)
    required = forms.BooleanField(label="必答", required=False, initial=True)
    is_overall = forms.BooleanField(label="总体满意度题", required=False)
    options = forms.CharField(
        label="选项（每行一个）", required=False, widget=forms.Textarea(attrs={"rows": 3})
    )


class InvitationForm(forms.Form):
    customer = forms.CharField(label="客户（客户编号或电话）", max_length=40)
    channel = forms.ChoiceField(label="调查方式", choices=Channel.choices, initial=Channel.WEB)
    questionnaire = forms.TypedChoiceField(label="问卷", coerce=int, choices=())

    def __init__(self, *args: Any, questionnaires: list[tuple[int, str]], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["questionnaire"].choices = questionnaires


class CampaignForm(forms.Form):
    name = forms.CharField(label="调查名称", max_length=100)
    channel = forms.ChoiceField(label="调查方式", choices=Channel.choices)
    questionnaire = forms.TypedChoiceField(label="问卷", coerce=int, choices=())
    grades = forms.MultipleChoiceField(label="客户等级（不选 = 全部）", required=False, choices=())
    regions = forms.CharField(label="地区（逗号分隔，不填 = 全部）", max_length=500, required=False)

    def __init__(
        self,
        *args: Any,
        questionnaires: list[tuple[int, str]],
        grades: list[str],
        **kwargs: Any,
    ) -> None:
        super().__init__(*args, **kwargs)
        self.fields["questionnaire"].choices = questionnaires
        self.fields["grades"].choices = [(g, g) for g in grades]


def _date(value: str | None) -> dt.date | None:
    try:
        return dt.date.fromisoformat(value) if value else None
    except ValueError:
        return None


def stats_filters(params: Any) -> dict[str, Any]:
    """The statistics page's filters from the URL; a bad value filters by nothing."""
    return {
        "date_from": _date(params.get("date_from")),
        "date_to": _date(params.get("date_to")),
        "channel": query_choice(params, "channel", Channel.values),
        "questionnaire_id": query_id(params.get("questionnaire")),
    }
