"""A report's photos, served by Django after checking who asks: anyone once staff approved it
and the report shows its photos (selectors.photos_are_public), the reporter, staff. The files
under MEDIA_ROOT are never served as they are: a URL that leaked would show a photo nobody
reviewed (faces, plates, a home)."""
import mimetypes

from django.core.files.storage import default_storage
from django.http import FileResponse, Http404
from django.shortcuts import get_object_or_404
from django.utils.cache import patch_cache_control

from ..models import Photo
from ..selectors import photos_are_public

SIZES = {"image", "thumbnail"}


def may_see(user, photo) -> bool:
    report = photo.request
    if user.is_authenticated and (user.is_staff or report.reporter_id == user.pk):
        return True
    return bool(photo.approved) and photos_are_public(report)


def photo(request, pk, size):
    """The photo `pk` (`size` "image" or "thumbnail"); 404 for whoever may not see it, as for
    a photo that does not exist."""
    if size not in SIZES:
        raise Http404
    found = get_object_or_404(Photo.objects.select_related("request__category"), pk=pk)
    if not may_see(request.user, found):
        raise Http404
    name = getattr(found, size).name
    try:
        handle = default_storage.open(name, "rb")
    except FileNotFoundError:
        raise Http404 from None
    response = FileResponse(handle, content_type=mimetypes.guess_type(name)[0]
                            or "application/octet-stream")
    # Public once approved; otherwise only the asker's browser may keep it.
    public = bool(found.approved) and photos_are_public(found.request)
    patch_cache_control(response, public=public, private=not public, max_age=3600)
    return response
