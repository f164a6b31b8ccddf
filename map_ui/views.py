"""The basemap's vector tiles: /tuiles/<z>/<x>/<y>.pbf (map_ui.tiles writes them)."""
import gzip
import hashlib

from django.http import Http404, HttpResponse, HttpResponseNotModified
from django.utils.cache import patch_vary_headers
from django.views.decorators.http import require_safe

from . import tiles

CONTENT_TYPE = "application/vnd.mapbox-vector-tile"
# Streets, places and parcels change a few times a year (an import, a clerk's edit): a browser
# keeps a tile an hour, then asks again with its ETag (a 304 costs the query, not the bytes).
CACHE_CONTROL = "public, max-age=3600"


@require_safe
def tile(request, z: int, x: int, y: int):
    if not tiles.valid(z, x, y):
        raise Http404("No such tile.")
    body = tiles.tile(z, x, y)
    etag = f'"{hashlib.blake2b(body, digest_size=12).hexdigest()}"'
    if etag in request.headers.get("If-None-Match", ""):
        response = HttpResponseNotModified()
    else:
        gzipped = "gzip" in request.headers.get("Accept-Encoding", "") and len(body) > 200
        response = HttpResponse(gzip.compress(body, 6) if gzipped else body,
                                content_type=CONTENT_TYPE)
        if gzipped:
            response["Content-Encoding"] = "gzip"
    response["ETag"] = etag
    response["Cache-Control"] = CACHE_CONTROL
    patch_vary_headers(response, ["Accept-Encoding"])
    return response
