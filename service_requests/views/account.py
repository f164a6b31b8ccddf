"""The citizen's requests, whatever the channel (web, phone, counter, app), and the ones they
follow. Only public events are shown; another citizen's request is a 404."""
from django.contrib.auth.decorators import login_required
from django.shortcuts import get_object_or_404, render

from core.access_log import log_access

from .. import selectors, services
from ..models import ServiceRequest
from ..questions import answer_labels
from .public import location_map_config


@login_required
def mine(request):
    requests = list(selectors.mine_queryset(request.user)[:200])
    return render(request, "service_requests/mine.html", {"requests": requests})


@login_required
def mine_detail(request, public_id):
    own = get_object_or_404(
        ServiceRequest.objects.select_related("category", "department", "duplicate_of"),
        public_id=public_id, reporter=request.user)
    log_access(request, subject=request.user, action="view", record=f"request:{own.pk}")
    return render(request, "service_requests/mine_detail.html", {
        "report": own, "reopenable": own.confirmed and services.may_reopen(own),
        "events": own.events.filter(public=True).select_related(None),
        "answers": answer_labels(own.category, own.answers),
        "photos": own.photos.all(), "where": own.place_label(),
        "map_config": location_map_config(own)})
