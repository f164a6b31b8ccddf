"""An alert as a CAP 1.2 message (Common Alerting Protocol, OASIS; the format of Canada's
public alerting system and of alert aggregators): one <alert> per alert in its current version,
one <info> per language (fr-CA, and en-CA when the English text is given), an <area> whose
<polygon>s are the outer rings of the alert's area in WGS 84 "lat,lon" pairs (CAP has no holes:
an area with a hole is announced over the hole too). Version 1 is msgType Alert; an update is
Update and a cancellation Cancel, with <references> to every version sent before.

Checked against the schema (alerts/schemas/CAP-v1.2.xsd) by the tests."""
import datetime as dt
from urllib.parse import urlsplit

from django.conf import settings
from django.contrib.gis.geos import GEOSGeometry
from django.db import connection
from django.utils import timezone
from lxml import etree

from .models import Alert

NS = "urn:oasis:names:tc:emergency:cap:1.2"
SEVERITY = {"minor": "Minor", "moderate": "Moderate", "severe": "Severe", "extreme": "Extreme"}
MSG_TYPE = {"alert": "Alert", "update": "Update", "cancel": "Cancel"}
SIMPLIFY_M = 5  # the area's outline simplified (metres) before it is written as CAP polygons
CONTENT_TYPE = "application/cap+xml; charset=utf-8"


def sender() -> str:
    host = urlsplit(settings.GUICHET_SITE_URL).hostname or "guichet.example"
    return f"alertes@{host}"


def message_id(alert, version: int) -> str:
    """The CAP identifier of one version (no spaces, commas, < or &)."""
    return f"urn:uuid:{alert.identifier}" + (f":v{version}" if version > 1 else "")


def cap_time(value) -> str:
    """dd-mm-ddThh:mm:ss+hh:mm in Montréal's time (CAP forbids 'Z')."""
    return timezone.localtime(value).replace(microsecond=0).isoformat()


def urgency(alert, now) -> str:
    if alert.ends_at and alert.ends_at <= now or alert.status == Alert.Status.CANCELLED:
        return "Past"
    if alert.starts_at > now:
        return "Future"
    return "Immediate" if alert.severity in ("severe", "extreme") else "Expected"


def polygons(alert) -> list[str]:
    """The area's outer rings as CAP polygons: "lat,lon lat,lon ..." (closed, WGS 84)."""
    if alert.area is None:
        return []
    with connection.cursor() as cursor:
        cursor.execute("SELECT ST_AsHEXEWKB(ST_Transform(ST_SimplifyPreserveTopology("
                       "%s::geometry, %s), 4326))", [alert.area.hexewkb.decode(), SIMPLIFY_M])
        geom = GEOSGeometry(cursor.fetchone()[0])
    out = []
    for polygon in (geom if geom.geom_type == "MultiPolygon" else [geom]):
        if polygon.geom_type != "Polygon" or polygon.empty:
            continue
        ring = polygon.exterior_ring.coords
        if len(ring) >= 4:
            out.append(" ".join(f"{lat:.6f},{lon:.6f}" for lon, lat in ring))
    return out


def _sub(parent, tag, text=None):
    element = etree.SubElement(parent, f"{{{NS}}}{tag}")
    if text is not None:
        element.text = str(text)
    return element


def alert_element(alert, *, web_url: str, area_desc: str, now=None):
    now = now or timezone.now()
    history = alert.history or [{"version": alert.version, "kind": "alert",
                                 "sent_at": (alert.sent_at or alert.updated_at).isoformat()}]
    last = history[-1]
    root = etree.Element(f"{{{NS}}}alert", nsmap={None: NS})
    _sub(root, "identifier", message_id(alert, last["version"]))
    _sub(root, "sender", sender())
    _sub(root, "sent", cap_time(dt.datetime.fromisoformat(last["sent_at"])))
    _sub(root, "status", "Actual")
    _sub(root, "msgType", MSG_TYPE.get(last["kind"], "Alert"))
    _sub(root, "scope", "Public")
    if len(history) > 1:
        _sub(root, "references", " ".join(
            f"{sender()},{message_id(alert, h['version'])},"
            f"{cap_time(dt.datetime.fromisoformat(h['sent_at']))}" for h in history[:-1]))
    shapes = polygons(alert)
    texts = [("fr-CA", alert.topic.name_fr, alert.title_fr, alert.body_fr)]
    if alert.title_en or alert.body_en:
        texts.append(("en-CA", alert.topic.name_en, alert.title_en or alert.title_fr,
                      alert.body_en or alert.body_fr))
    for language, event, headline, description in texts:
        info = _sub(root, "info")
        _sub(info, "language", language)
        _sub(info, "category", alert.topic.cap_category or "Other")
        _sub(info, "event", event)
        _sub(info, "urgency", urgency(alert, now))
        _sub(info, "severity", SEVERITY.get(alert.severity, "Unknown"))
        _sub(info, "certainty", "Observed")
        _sub(info, "effective", cap_time(alert.starts_at))
        _sub(info, "onset", cap_time(alert.starts_at))
        if alert.ends_at:
            _sub(info, "expires", cap_time(alert.ends_at))
        _sub(info, "senderName", settings.GUICHET_MUNICIPALITY_NAME)
        _sub(info, "headline", headline)
        _sub(info, "description", description)
        _sub(info, "web", web_url)
        area = _sub(info, "area")
        _sub(area, "areaDesc", area_desc)
        for shape in shapes:
            _sub(area, "polygon", shape)
    return root


def to_bytes(element) -> bytes:
    return etree.tostring(element, xml_declaration=True, encoding="UTF-8", pretty_print=True)
