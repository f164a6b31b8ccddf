"""The alerts' pages: `urlpatterns` for the public (namespace "alerts", under "alertes/"),
`staff_urlpatterns` under "personnel/alertes/" (namespace "alerts_staff")."""
from django.urls import path

from . import feeds
from .views import public, staff

app_name = "alerts"

urlpatterns = [
    path("", public.alert_list, name="list"),
    path("<int:pk>/", public.detail, name="detail"),
    path("<int:pk>/cap.xml", public.cap_message, name="cap"),
    path("cap/", feeds.CapIndexFeed(), name="cap_index"),
    path("fil/rss/", feeds.AlertsFeed(), name="feed_rss"),
    path("fil/atom/", feeds.AlertsAtomFeed(), name="feed_atom"),
    path("fil/sujet/<slug:code>/rss/", feeds.TopicFeed(), name="topic_rss"),
    path("fil/sujet/<slug:code>/atom/", feeds.TopicAtomFeed(), name="topic_atom"),
    path("fil/propriete/<int:pk>/rss/", feeds.PlaceFeed(), name="property_rss"),
    path("fil/propriete/<int:pk>/atom/", feeds.PlaceAtomFeed(), name="property_atom"),
    path("fil/point/rss/", feeds.PlaceFeed(), name="point_rss"),
    path("fil/point/atom/", feeds.PlaceAtomFeed(), name="point_atom"),
]

staff_urlpatterns = ([
    path("", staff.alert_list, name="list"),
    path("nouvelle/", staff.create, name="create"),
    path("<int:pk>/", staff.detail, name="detail"),
    path("<int:pk>/modifier/", staff.edit, name="edit"),
    path("<int:pk>/adresses.csv", staff.addresses_csv, name="addresses_csv"),
    path("<int:pk>/envoyer/", staff.send, name="send"),
    path("<int:pk>/programmer/", staff.schedule, name="schedule"),
    path("<int:pk>/annuler/", staff.cancel, name="cancel"),
], "alerts_staff")
