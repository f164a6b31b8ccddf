"""The pages of this app that anyone may use, signed in or not: the text size and contrast of the
site (the header's buttons, core/templates/core/base.html)."""
from django.http import HttpResponseBadRequest, JsonResponse
from django.shortcuts import redirect
from django.urls import reverse
from django.utils.http import url_has_allowed_host_and_scheme
from django.views.decorators.http import require_POST

from core import display as site_display
from core.access_log import log_access
from core.models import AccessLog

from .. import services
from ..forms import DisplayForm
from ..selectors import display_for


@require_POST
def display(request):
    """Change the text size or the contrast: kept in this browser (a cookie) and, for a
    signed-in citizen, with the account. The buttons' script asks for JSON (no page load);
    without the script the form comes back to the page it was sent from."""
    form = DisplayForm(request.POST)
    if not form.is_valid():
        return HttpResponseBadRequest()
    chosen = display_for(request).changed(text_size=form.cleaned_data["text_size"],
                                          contrast=form.cleaned_data["contrast"])
    if request.user.is_authenticated:
        services.save_display(user=request.user, text_size=chosen.text_size,
                              contrast=chosen.contrast)
        log_access(request, subject=request.user, action=AccessLog.Action.CHANGE,
                   record="display")
    if "application/json" in request.headers.get("Accept", ""):
        response = JsonResponse({"text_size": chosen.text_size, "contrast": chosen.contrast})
    else:
        back = form.cleaned_data["next"]
        if not url_has_allowed_host_and_scheme(back, allowed_hosts={request.get_host()},
                                               require_https=request.is_secure()):
            back = reverse("portal:home")
        response = redirect(back)
    site_display.remember(response, chosen)
    return response
