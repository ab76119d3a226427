"""自动排班 never overwrites hand edits made to the draft while it ran (WFM-2): the draft's stamp is
taken at submit; when the draft differs when the result is written, the result is kept beside the
draft, nothing is overwritten and the job fails with a clear Chinese message."""

from __future__ import annotations

from typing import Any

import pytest

from kefu.core.choices import JobStatus
from kefu.core.errors import DomainError
from kefu.core.models import AuditEvent, BackgroundJob
from kefu.workforce import selectors
from kefu.workforce.models import Roster
from kefu.workforce.rostering import solver
from kefu.workforce.services import rosters
from kefu.workforce.tests.factories import MONTH, make_roster, ready_team

pytestmark = pytest.mark.django_db
CHANGED = "自动排班期间草稿已被手工修改"


def _edit_while_solving(monkeypatch: pytest.MonkeyPatch, org: dict[str, Any], draft: Roster):
    """The solver runs; meanwhile the lead gives herself 1 Jan (白班) off."""
    real = solver.solve

    def solve_and_edit(*args: Any, **kwargs: Any) -> Any:
        result = real(*args, **kwargs)
        rosters.roster_cell_set(
            actor=org["lead_a"].user,
            roster_id=draft.pk,
            employee_id=org["lead_a"].pk,
            day=MONTH.replace(day=1),
            code="rest",
        )
        return result

    monkeypatch.setattr(solver, "solve", solve_and_edit)


def test_an_edit_during_the_solve_is_kept_and_the_result_is_not_written(org, monkeypatch):
    team = ready_team(org)
    draft = make_roster(org)
    _edit_while_solving(monkeypatch, org, draft)
    with pytest.raises(DomainError, match=CHANGED) as err:
        rosters.roster_solve(actor=org["lead_a"].user, team_id=team.pk, month=MONTH, time_limit_s=1)
    assert err.value.code == "roster_solve_draft_changed"
    cells = selectors.roster_cells(draft.pk)
    assert cells[(org["lead_a"].pk, MONTH.replace(day=1))] == "rest"  # the hand edit
    # the rest of the draft is the hand-made pattern, untouched by the solver
    assert cells[(org["agent_a1"].pk, MONTH.replace(day=1))] == "night"
    assert cells[(org["lead_a"].pk, MONTH.replace(day=7))] == "rest"
    draft.refresh_from_db()
    kept = draft.solver_result["unapplied"]
    assert len(kept["cells"]) == 3 * 31  # the solver's answer is kept beside the draft
    assert AuditEvent.objects.filter(action="roster.solve_refused").count() == 1


def test_the_job_fails_with_the_message_when_the_draft_changed_after_submit(org, monkeypatch):
    team = ready_team(org)
    draft = make_roster(org)
    _edit_while_solving(monkeypatch, org, draft)
    job = rosters.roster_solve_submit(
        actor=org["lead_a"].user, team_id=team.pk, month=MONTH, time_limit_s=1
    )
    job = BackgroundJob.objects.get(pk=job.pk)
    assert job.status == JobStatus.FAILED and CHANGED in job.error
    assert selectors.roster_cells(draft.pk)[(org["lead_a"].pk, MONTH.replace(day=1))] == "rest"


def test_an_edit_between_submit_and_start_is_detected_by_the_submit_stamp(org):
    team = ready_team(org)
    draft = make_roster(org)
    stamp = rosters.draft_stamp(team.pk, MONTH)
    rosters.roster_cell_set(
        actor=org["lead_a"].user,
        roster_id=draft.pk,
        employee_id=org["lead_a"].pk,
        day=MONTH.replace(day=1),
        code="rest",
    )
    assert rosters.draft_stamp(team.pk, MONTH) != stamp
    with pytest.raises(DomainError, match=CHANGED):
        rosters.roster_solve(
            actor=org["lead_a"].user,
            team_id=team.pk,
            month=MONTH,
            time_limit_s=1,
            expected_stamp=stamp,
        )


def test_without_edits_the_solve_writes_the_draft(org):
    team = ready_team(org)
    draft = make_roster(org)
    out = rosters.roster_solve(
        actor=org["lead_a"].user, team_id=team.pk, month=MONTH, time_limit_s=1
    )
    assert out.roster_id == draft.pk
    draft.refresh_from_db()
    assert "unapplied" not in draft.solver_result
