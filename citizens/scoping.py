"""Personal data is read through these functions only: scoped to the signed-in citizen's
verified links (or to staff), so that another citizen gets a 404."""
from django.http import Http404

from .models import PropertyLink


def verified_links(user):
    return (PropertyLink.objects.filter(user=user, status=PropertyLink.Status.VERIFIED)
            .select_related("property"))


def verified_link_or_404(user, link_id) -> PropertyLink:
    link = verified_links(user).filter(pk=link_id).first()
    if link is None:
        raise Http404
    return link


def can_see_property(user, prop) -> bool:
    """Staff, or a citizen with a verified link to the property."""
    if user.is_authenticated and user.is_staff:
        return True
    return user.is_authenticated and verified_links(user).filter(property=prop).exists()
