"""Consumer "Activity": who did what with my data, when, why, under which consent.

Thin: the selectors scope everything to the logged-in consumer's own subject
pseudonym; nothing here can show another person's events.
"""

from __future__ import annotations

from typing import Any

from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.core.paginator import Paginator
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render

from . import selectors
from .conf import audit_settings
from .forms import ActivityFilterForm
from .labels import rows_for


@login_required
def activity(request: HttpRequest) -> HttpResponse:
    user: Any = request.user
    if user.role != "consumer":
        raise PermissionDenied("The activity page is for consumers.")
    subject = str(user.vault.subject)
    actors = selectors.actors_for_subject(subject=subject)
    labels = selectors.actor_labels(actors, viewer_subject=subject)
    choices = sorted(((f"{actor_type}:{actor_id}", labels[(actor_type, actor_id)])
                      for actor_type, actor_id in actors), key=lambda choice: str(choice[1]))
    form = ActivityFilterForm(request.GET or None, actors=choices)
    actor = form.actor_key()
    events = selectors.events_for_subject(subject=subject, actor=actor)
    page = Paginator(events, int(audit_settings.ACTIVITY_PAGE_SIZE)).get_page(
        request.GET.get("page"))
    query = request.GET.copy()
    query.pop("page", None)
    return render(request, "audit/activity.html", {
        "form": form,
        "page": page,
        "rows": rows_for(list(page.object_list), viewer_subject=subject),
        "query": query.urlencode(),
        "filtered": actor is not None,
    })
