"""The alerts' pages, included at the site's root (namespace "alerts"): the public alerts, their
feeds and CAP messages, subscribing without an account, confirmation and one-click unsubscribe
under alertes/; the citizen's own under mon-compte/alertes/. `staff_urlpatterns` under
"personnel/alertes/" (namespace "alerts_staff"); `root_urlpatterns` at the root, unprefixed:
the service worker /sw.js."""
from django.urls import path

from . import feeds
from .views import account, public, staff

app_name = "alerts"

urlpatterns = [
    path("alertes/", public.alert_list, name="list"),
    path("alertes/<int:pk>/", public.detail, name="detail"),
    path("alertes/<int:pk>/cap.xml", public.cap_message, name="cap"),
    path("alertes/cap/", feeds.CapIndexFeed(), name="cap_index"),
    path("alertes/fil/rss/", feeds.AlertsFeed(), name="feed_rss"),
    path("alertes/fil/atom/", feeds.AlertsAtomFeed(), name="feed_atom"),
    path("alertes/fil/sujet/<slug:code>/rss/", feeds.TopicFeed(), name="topic_rss"),
    path("alertes/fil/sujet/<slug:code>/atom/", feeds.TopicAtomFeed(), name="topic_atom"),
    path("alertes/fil/propriete/<int:pk>/rss/", feeds.PlaceFeed(), name="property_rss"),
    path("alertes/fil/propriete/<int:pk>/atom/", feeds.PlaceAtomFeed(), name="property_atom"),
    path("alertes/fil/point/rss/", feeds.PlaceFeed(), name="point_rss"),
    path("alertes/fil/point/atom/", feeds.PlaceAtomFeed(), name="point_atom"),
    path("alertes/abonnement/", public.subscribe, name="subscribe"),
    path("alertes/abonnement/<int:property_id>/", public.subscribe_to, name="subscribe_to"),
    path("alertes/confirmer/<str:token>/", public.confirm, name="confirm"),
    path("alertes/desabonnement/<uuid:token>/", public.unsubscribe, name="unsubscribe"),
    path("mon-compte/alertes/", account.subscriptions, name="mine"),
    path("mon-compte/alertes/preferences/", account.preferences, name="preferences"),
    path("mon-compte/alertes/ajouter/<int:property_id>/", account.subscription_add,
         name="subscription_add"),
    path("mon-compte/alertes/<int:pk>/", account.subscription_edit, name="subscription_edit"),
    path("mon-compte/alertes/<int:pk>/retirer/", account.subscription_remove,
         name="subscription_remove"),
    path("mon-compte/alertes/navigateurs/", account.push_subscribe, name="push_subscribe"),
    path("mon-compte/alertes/navigateurs/<int:pk>/retirer/", account.push_remove,
         name="push_remove"),
]

# At the site's root, outside the language prefixes: the service worker that shows the
# notifications (a worker's scope is at most its script's folder).
root_urlpatterns = [
    path("sw.js", public.service_worker, name="service_worker"),
    # Where it tells the city that the browser's subscription was renewed (JSON, no language).
    path("sw/abonnement-renouvele/", public.push_renew, name="push_renew"),
]

staff_urlpatterns = ([
    path("", staff.alert_list, name="list"),
    path("nouvelle/", staff.create, name="create"),
    path("interdiction-arrosage/<int:ban_id>/", staff.from_watering_ban,
         name="from_watering_ban"),
    path("<int:pk>/", staff.detail, name="detail"),
    path("<int:pk>/modifier/", staff.edit, name="edit"),
    path("<int:pk>/adresses.csv", staff.addresses_csv, name="addresses_csv"),
    path("<int:pk>/envoyer/", staff.send, name="send"),
    path("<int:pk>/programmer/", staff.schedule, name="schedule"),
    path("<int:pk>/annuler/", staff.cancel, name="cancel"),
], "alerts_staff")
