"""The ticket page's empty action forms, rendered once per process per action and language
(``views._unbound_fields_html``): the cached HTML is the form's own, and English is kept apart."""

from __future__ import annotations

import pytest
from django.utils import translation

from kefu.core import access_cache
from kefu.tickets.forms import ActionForm
from kefu.tickets.statemachine import Action
from kefu.tickets.views import _unbound_fields_html


@pytest.mark.django_db(transaction=True)  # outside a transaction: the cache is used
def test_empty_action_fields_are_rendered_once_and_match_the_form() -> None:
    access_cache.clear()
    with translation.override("zh-hans"):
        first = _unbound_fields_html(Action.REPLY)
        assert _unbound_fields_html(Action.REPLY) is first  # the same cached string
        form = ActionForm(action=Action.REPLY, ticket_pk=0)
        for name in form.fields:
            assert f'name="{Action.REPLY.value}-{name}"' in first
        assert 'data-field="note"' in first
    with translation.override("en"):
        assert _unbound_fields_html(Action.REPLY) is not first
    access_cache.clear()
