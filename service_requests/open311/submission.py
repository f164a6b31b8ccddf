"""POST requests: the spec's form fields turned into one services.submit_request call (channel
"api"), so an app's request gets the web form's checks: the place in the territory, the
category's questions (clean_answers), the photo re-encoded without EXIF, the e-mail to confirm.

Fields: service_code; the place as lat + long, else address_string (looked up like the web
form's address), else address_id (a property number); attribute[code], and attribute[code][]
repeated for a multivaluelist; description; email, first_name, last_name, phone (staff only);
media, a photo sent as a multipart file; media_url, kept as an internal note (never fetched).
device_id and account_id are accepted and ignored; jurisdiction_id is checked by the view."""
import datetime as dt
import re

from django.core.exceptions import ValidationError
from django.core.validators import validate_email
from django.db import transaction
from django.http import QueryDict
from django.utils.html import strip_tags
from django.utils.translation import gettext as _

from properties.models import Property

from .. import services
from ..locating import locate
from ..models import Category, Question, ServiceRequest
from ..photos import process_photo
from .queries import is_number
from .responses import Open311Error

MAX_MEDIA_URL = 1000


def submit(*, post, files, api_client, ip) -> ServiceRequest:
    """Create the request described by `post` (a QueryDict) and `files`; Open311Error(400)
    with the clear message of the first check that fails (one per attribute in error)."""
    post = without_nul(post)
    category = _category(post)
    try:
        point, address = _place(post)
        answers = attributes(post, category)
        email = _email(post)
        photos = [process_photo(files["media"])] if files.get("media") else []
        with transaction.atomic():
            created = services.submit_request(
                category=category, point=point, description=_description(post, category),
                answers=answers, channel=ServiceRequest.Channel.API, api_client=api_client,
                contact_name=_name(post), contact_email=email,
                contact_phone=(post.get("phone") or "").strip()[:40], address=address,
                photos=photos, ip=ip)
            media_url = (post.get("media_url") or "").strip()
            if re.match(r"https?://", media_url) and len(media_url) <= MAX_MEDIA_URL:
                # Staff may look at it; it is not fetched, nor shown to the public.
                services.add_note(request=created, by=None, public=False, note=_(
                    "The app gave a link to a photo (not checked): %(url)s") % {"url": media_url})
    except ValidationError as error:
        raise Open311Error(400, *messages(error)) from None
    return created


def without_nul(post) -> QueryDict:
    """A copy of `post` without NUL characters, which PostgreSQL cannot store in text (the
    web forms refuse them through Django's form fields; here nothing else would)."""
    clean = QueryDict(mutable=True)
    for key, values in post.lists():
        clean.setlist(key.replace("\x00", ""), [v.replace("\x00", "") for v in values])
    return clean


def messages(error: ValidationError) -> list[str]:
    """The error's messages, each named after the field it is about."""
    if not hasattr(error, "error_dict"):
        if getattr(error, "code", None) in {"empty", "too_large", "not_an_image",
                                            "too_many_pixels"}:
            return [f"media: {m}" for m in error.messages]
        return error.messages
    result = []
    for field, errors in error.error_dict.items():
        name = {"contact_email": "email", "__all__": ""}.get(field, f"attribute[{field}]")
        result += [f"{name}: {m}" if name else m for m in ValidationError(errors).messages]
    return result


def _category(post) -> Category:
    code = (post.get("service_code") or "").strip()
    if not code:
        raise Open311Error(400, _("service_code is required."))
    category = Category.objects.filter(code=code, active=True).first()
    if category is None:
        raise Open311Error(400, _("service_code \"%(code)s\" is not one of the services offered "
                                  "(see services.json).") % {"code": code[:100]})
    return category


def _place(post):
    """(point in the storage CRS, address label). The web form's rules: lat/long must fall in
    the territory; an address is looked up among the town's civic addresses."""
    lat, lon = (post.get("lat") or "").strip(), (post.get("long") or "").strip()
    typed = strip_tags(post.get("address_string") or "").strip()[:300]
    address_id = (post.get("address_id") or "").strip()
    if lat or lon:
        try:
            float(lat), float(lon)
        except ValueError:
            raise Open311Error(400, _("lat and long must both be numbers (WGS 84 degrees).")
                               ) from None
        return services.point_from_lonlat(lon, lat), typed
    if address_id:
        prop = (Property.objects.filter(pk=int(address_id)).exclude(address_point=None).first()
                if is_number(address_id) else None)
        if prop is None:
            raise Open311Error(400, _("address_id \"%(id)s\" is not a property of the town.")
                               % {"id": address_id[:30]})
        services.check_in_territory(prop.address_point)
        first = prop.addresses.order_by("pk").first()
        return prop.address_point.clone(), first.label if first else typed
    if typed:
        return _address_point(typed)
    raise Open311Error(400, _("Give the place: lat and long, or address_string, or "
                              "address_id."))


def _address_point(typed: str):
    # "12 rue X, Pincourt, QC J7W 0A1": the spec writes from the most specific part to the most
    # general; the town's civic addresses only know the first part.
    first = typed.split(",")[0].strip()
    try:
        return locate({"address": typed})
    except ValidationError:
        if first == typed:
            raise
        return locate({"address": first})


def attributes(post, category) -> dict:
    """attribute[code] (or attribute[code][] repeated, for a multivaluelist) of the category's
    questions, as clean_answers takes them. A date question takes the date of a datetime."""
    raw = {}
    for question in category.questions.all():
        values = (post.getlist(f"attribute[{question.code}][]")
                  + post.getlist(f"attribute[{question.code}]"))
        if question.kind == Question.Kind.MULTIPLE:
            raw[question.code] = values
        elif values:
            value = values[0]
            raw[question.code] = _date_of(value) if question.kind == Question.Kind.DATE else value
    return raw


def _date_of(value: str) -> str:
    """The date part of a W3C datetime, as written (the reporter's day, not converted)."""
    if "T" not in value:
        return value
    try:
        return dt.datetime.fromisoformat(value.strip()).date().isoformat()
    except ValueError:
        return value  # clean_answers says what is wrong


def _email(post) -> str:
    email = (post.get("email") or "").strip()
    if email:
        try:
            validate_email(email)
        except ValidationError:
            raise ValidationError({"contact_email": _("Enter a valid e-mail address.")}
                                  ) from None
    return email


def _name(post) -> str:
    parts = [(post.get(key) or "").strip() for key in ("first_name", "last_name")]
    return " ".join(p for p in parts if p)[:200]


def _description(post, category) -> str:
    """The spec makes the description optional; the queue needs one: the service's name then
    (in the site's default language, the staff's)."""
    text = post.get("description") or ""
    if strip_tags(text).strip():
        return text
    return category.name_fr
