from django.conf import settings
from django.conf.urls.i18n import i18n_patterns
from django.contrib import admin
from django.http import HttpResponse
from django.urls import include, path, re_path
from django.views.static import serve
from drf_spectacular.views import SpectacularAPIView, SpectacularSwaggerView


def healthz(request):
    """Liveness probe for load balancers (and the trivial view of the benchmark)."""
    return HttpResponse("ok", content_type="text/plain")


urlpatterns = [
    path("healthz", healthz, name="healthz"),
    path("api/", include("config.api_router")),
    path("api/schema/", SpectacularAPIView.as_view(), name="schema"),
    path("api/docs/", SpectacularSwaggerView.as_view(url_name="schema"), name="api-docs"),
    path("i18n/", include("django.conf.urls.i18n")),
    path("open311/v2/", include("service_requests.open311.urls")),
]
urlpatterns += i18n_patterns(
    path("admin/", admin.site.urls),
    path("personnel/collectes/", include("collections_schedule.staff_urls")),
    path("personnel/liens/", include("citizens.urls_clerks")),
    path("personnel/demandes/", include("service_requests.staff_urls")),
    path("collectes/", include("collections_schedule.urls")),
    path("compte/", include("allauth.urls")),  # sign up/in/out, password reset, e-mail addresses
    path("", include("service_requests.urls")),
    path("mon-compte/", include("citizens.urls")),
    path("", include("map_ui.urls")),
    prefix_default_language=False,
)

if settings.GUICHET_SERVE_MEDIA:
    # Report photos, served by Django for the demo (thumbnails on the staff pages, approved
    # photos on the public ones); in production the web server serves MEDIA_ROOT instead.
    urlpatterns += [re_path(rf"^{settings.MEDIA_URL.strip('/')}/(?P<path>.*)$", serve,
                            {"document_root": settings.MEDIA_ROOT})]
