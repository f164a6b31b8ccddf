from anymail import urls as anymail_urls
from django.conf.urls.i18n import i18n_patterns
from django.contrib import admin
from django.http import HttpResponse
from django.urls import include, path, re_path
from drf_spectacular.views import SpectacularAPIView, SpectacularSwaggerSplitView

from alerts import bounces
from alerts import urls as alerts_urls
from citizens import urls as citizens_urls
from collections_schedule import urls as collections_urls
from core import errors
from leisure import urls as leisure_urls
from library import urls as library_urls
from service_requests import urls as requests_urls


def healthz(request):
    """Liveness probe for load balancers (and the trivial view of the benchmark)."""
    return HttpResponse("ok", content_type="text/plain")


urlpatterns = [
    path("healthz", healthz, name="healthz"),
    path("readyz", errors.readyz, name="readyz"),
    path("api/", include("config.api_router")),
    path("api/schema/", SpectacularAPIView.as_view(), name="schema"),
    # The split view: Swagger UI's start-up script is a separate response (/api/docs/?script),
    # not an inline <script>, so the page needs no nonce and no 'unsafe-inline' (CSP); its
    # template puts the page's few style rules in a file of ours, not in an inline <style>.
    path("api/docs/", SpectacularSwaggerSplitView.as_view(
        url_name="schema", template_name="core/swagger_ui.html"), name="api-docs"),
    path("i18n/", include("django.conf.urls.i18n")),
    path("affichage/", include(citizens_urls.display_urlpatterns)),  # text size, contrast
    path("open311/v2/", include("service_requests.open311.urls")),
    # The e-mail provider's delivery and bounce reports (alerts/bounces.py); 404 without a
    # webhook secret.
    path("anymail/", include(([re_path(p.pattern.regex.pattern, bounces.guarded(p.callback),
                                       name=p.name) for p in anymail_urls.urlpatterns],
                              "anymail"))),
    # The basemap's vector tiles (the same in every language: names are data).
    path("tuiles/", include("map_ui.urls")),
    path("", include(alerts_urls.root_urlpatterns)),  # /sw.js: the notifications' worker
]
urlpatterns += i18n_patterns(
    path("admin/", admin.site.urls),
    # Staff pages: "staff" in the code, "personnel" in the URLs.
    path("personnel/collectes/", include(collections_urls.staff_urlpatterns)),
    path("personnel/liens/", include(citizens_urls.staff_urlpatterns)),
    path("personnel/demandes/", include(requests_urls.staff_urlpatterns)),
    path("personnel/alertes/", include(alerts_urls.staff_urlpatterns)),
    path("personnel/bibliotheque/", include(library_urls.staff_urlpatterns)),
    path("personnel/loisirs/", include(leisure_urls.staff_urlpatterns)),
    path("collectes/", include("collections_schedule.urls")),
    path("loisirs/", include("leisure.urls")),
    path("compte/", include("allauth.urls")),  # sign up/in/out, password reset, e-mail addresses
    path("", include("service_requests.urls")),
    path("", include("alerts.urls")),  # alertes/..., mon-compte/alertes/...
    path("mon-compte/bibliotheque/", include("library.urls")),
    path("mon-compte/", include("citizens.urls")),
    path("", include("portal.urls")),  # home, property page, the citizen's dashboard
    path("", include("core.urls")),  # the app's manifest and offline page
    prefix_default_language=False,
)
# Report photos are not served from MEDIA_URL: service_requests.views.photos checks who asks.

handler400 = "core.errors.bad_request"
handler403 = "core.errors.permission_denied"
handler404 = "core.errors.page_not_found"
handler500 = "core.errors.server_error"
