"""待我审批 — the approver's inbox (ORG-4): every request waiting for the signed-in user's
decision, whatever module it comes from, with a link to the request where the decision is made."""

from __future__ import annotations

from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render

from kefu.core.params import query_id

from .approval_flow import approvals_decided_by_user, approvals_pending_for_user
from .choices import ApprovalState

PAGE_SIZES = (20, 50, 100)
TABS = (("pending", "待我审批"), ("decided", "我已审批"))


@login_required
def approval_inbox(request: HttpRequest) -> HttpResponse:
    """待我审批 / 我已审批 tabs, 20 per page; the decision itself is taken on the request's page."""
    tab = request.GET.get("tab", "pending")
    if tab not in dict(TABS):
        tab = "pending"
    qs = (
        approvals_pending_for_user(request.user)
        if tab == "pending"
        else approvals_decided_by_user(request.user)
    )
    size = query_id(request.GET.get("page_size"))
    page = Paginator(qs, size if size in PAGE_SIZES else 20).get_page(request.GET.get("page"))
    template = "org/_approval_table.html" if request.htmx else "org/approval_inbox.html"
    return render(
        request,
        template,
        {
            "page": page,
            "tab": tab,
            "tabs": TABS,
            "approved": ApprovalState.APPROVED,
        },
    )
