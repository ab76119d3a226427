"""The public survey page — 客户在线填写满意度调查 at /surveys/p/<token>/ (no login).

The token in the link is the only credential: it opens one invitation's questionnaire and works
for one submission until it expires. Phone-sized layout of its own (no sidebar, big touch
targets). A used, unknown or expired link shows a friendly page, never an error.
"""

from __future__ import annotations

from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.views.decorators.cache import never_cache

from kefu.core.errors import ConflictError, DomainError

from . import services
from .views import RATINGS, answers_from_post, decorate_questions


@never_cache
def public_survey(request: HttpRequest, token: str) -> HttpResponse:
    """GET: the questionnaire; POST: submit once, then the thank-you page."""
    try:
        inv = services.invitation_for_token(token)
    except services.TokenInvalid as exc:
        status = 410 if exc.reason == "expired" else 404
        return render(request, "surveys/public_closed.html", {"reason": exc.reason}, status=status)
    version = inv.version
    questions = list(version.questions.all())
    errors: dict[str, str] = {}
    if request.method == "POST":
        try:
            services.response_submit_public(
                token=token, answers=answers_from_post(request.POST, questions)
            )
        except ConflictError:
            return render(request, "surveys/public_closed.html", {"reason": "used"}, status=409)
        except services.TokenInvalid as exc:
            return render(request, "surveys/public_closed.html", {"reason": exc.reason}, status=404)
        except DomainError as exc:
            errors = exc.fields or {"form": exc.message}
        else:
            return render(request, "surveys/public_thanks.html", {"version": version})
    decorate_questions(questions, errors, request.POST if request.method == "POST" else None)
    return render(
        request,
        "surveys/public_survey.html",
        {"version": version, "questions": questions, "errors": errors, "ratings": RATINGS},
        status=422 if errors else 200,
    )
