"""Printed 回访单 — an A4 print page and a PDF of a recorded visit (CRM-4).

Only tasks the viewer may see (else 404), and only recorded ones (a planned task is no 回访单
yet: 404).
"""

from __future__ import annotations

from django.contrib.auth.decorators import login_required, permission_required
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import render

from kefu.core.pdf_web import pdf_response

from . import printing, selectors
from .choices import TaskStatus
from .models import VisitTask
from .policy import visits_policy
from .services.common import VIEW


def _receipt(request: HttpRequest, pk: int) -> printing.Receipt:
    try:
        task = selectors.visit_task_get_for_user(request.user, pk)
    except VisitTask.DoesNotExist as exc:
        raise Http404 from exc
    if task.status != TaskStatus.DONE:
        raise Http404("该回访任务尚未登记，没有回访单")
    actions = list(task.actions.select_related("department").order_by("id"))
    max_attempts = visits_policy(task.due_date).retry.max_attempts
    return printing.receipt(task, actions, max_attempts=max_attempts)


@login_required
@permission_required(VIEW, raise_exception=True)
def task_print(request: HttpRequest, pk: int) -> HttpResponse:
    """回访单, A4 print page."""
    form = _receipt(request, pk)
    return render(
        request,
        "visits/task_print.html",
        {"form": form, "pk": pk, "signatures": printing.SIGNATURES},
    )


@login_required
@permission_required(VIEW, raise_exception=True)
def task_pdf(request: HttpRequest, pk: int) -> HttpResponse:
    """回访单, PDF."""
    form = _receipt(request, pk)
    return pdf_response(printing.render_pdf(form), f"{printing.TITLE}-{form.number}.pdf")
