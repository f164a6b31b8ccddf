"""Atom and RSS feeds of the alerts (Django's syndication framework): all of them, per topic,
and per area (a property, or a point: the alerts whose area covers it); the CAP index (an Atom
feed whose entries link to each alert's CAP message)."""
from django.contrib.gis.geos import Point
from django.contrib.syndication.views import Feed
from django.core.exceptions import ValidationError
from django.http import Http404
from django.shortcuts import get_object_or_404
from django.urls import reverse
from django.utils.feedgenerator import Atom1Feed
from django.utils.translation import gettext as _

from geo.geometry import OutsideProjection, transformed
from properties.models import Property

from . import selectors
from .models import Topic

FEED_ITEMS = 50


class AlertsFeed(Feed):
    """Every alert published (sent, or since cancelled), latest first."""

    def title(self, obj=None):
        from django.conf import settings

        return _("Alerts of %(town)s") % {"town": settings.GUICHET_MUNICIPALITY_NAME}

    def link(self, obj=None):
        return reverse("alerts:list")

    def description(self, obj=None):
        return _("Notices and alerts of the municipality.")

    def get_object(self, request, *args, **kwargs):
        return None

    def alerts(self, obj):
        return selectors.published_alerts()

    def items(self, obj):
        return self.alerts(obj).defer("area", "drawn")[:FEED_ITEMS]

    def item_title(self, item):
        title = item.title
        if item.status == item.Status.CANCELLED:
            return _("Cancelled: %(title)s") % {"title": title}
        return title

    def item_description(self, item):
        return item.body

    def item_link(self, item):
        return reverse("alerts:detail", args=[item.pk])

    def item_guid(self, item):
        return f"urn:uuid:{item.identifier}"

    item_guid_is_permalink = False

    def item_pubdate(self, item):
        return item.sent_at

    def item_updateddate(self, item):
        return item.updated_at

    def item_categories(self, item):
        return [item.topic.name]


class AlertsAtomFeed(AlertsFeed):
    feed_type = Atom1Feed
    subtitle = AlertsFeed.description


class TopicFeed(AlertsFeed):
    def get_object(self, request, code):
        return get_object_or_404(Topic, code=code)

    def title(self, obj=None):
        return f"{super().title()} — {obj.name}"

    def alerts(self, obj):
        return selectors.published_alerts().filter(topic=obj)


class TopicAtomFeed(TopicFeed):
    feed_type = Atom1Feed
    subtitle = AlertsFeed.description


class PlaceFeed(AlertsFeed):
    """Per area: a property (its parcel, else its address point) or a point (?lon=&lat=)."""

    def get_object(self, request, pk=None):
        if pk is not None:
            prop = get_object_or_404(Property, pk=pk)
            where = prop.parcel or prop.address_point
            if where is None:
                raise Http404
            return where
        try:
            lon, lat = float(request.GET["lon"]), float(request.GET["lat"])
            if not (-180 <= lon <= 180 and -90 <= lat <= 90):
                raise ValueError
            from django.conf import settings

            return transformed(Point(lon, lat, srid=4326), settings.GUICHET_SRID, clone=True)
        except (KeyError, ValueError, OutsideProjection, ValidationError):
            raise Http404 from None

    def alerts(self, obj):
        return selectors.alerts_covering(obj)


class PlaceAtomFeed(PlaceFeed):
    feed_type = Atom1Feed
    subtitle = AlertsFeed.description


class CapIndexFeed(AlertsAtomFeed):
    """The CAP index: one Atom entry per alert, its link the alert's CAP 1.2 message."""

    def item_link(self, item):
        return reverse("alerts:cap", args=[item.pk])
