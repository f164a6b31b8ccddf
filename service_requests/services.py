"""Every change to a request goes through these keyword-only functions, one transaction each,
and leaves an Event in its history. Web forms, the clerks' pages and Open311 all call them, so a
request is the same whatever its channel."""
import datetime as dt

from django.conf import settings
from django.contrib.gis.geos import Point
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.html import strip_tags
from django.utils.translation import gettext as _

from geo.geometry import OutsideProjection, transformed
from geo.models import Territory
from geo.selectors import street_stretch
from properties.models import Property
from properties.place_names import describe as describe_place
from properties.place_names import label as place_label

from .models import Event, Follower, Photo, ServiceRequest
from .questions import clean_answers

MAX_DESCRIPTION = 5000
Status = ServiceRequest.Status


def point_from_lonlat(lon, lat) -> Point:
    """A WGS 84 longitude/latitude as a point in the storage CRS; a clear error when the numbers
    are not coordinates or fall outside the municipality."""
    try:
        lon, lat = float(lon), float(lat)
    except (TypeError, ValueError):
        raise ValidationError(_("Choose a place on the map or type an address."),
                              code="no_location") from None
    if not (-180 <= lon <= 180 and -90 <= lat <= 90):
        raise ValidationError(_("These coordinates are not valid."), code="bad_location")
    point = Point(lon, lat, srid=4326)
    try:
        transformed(point, settings.GUICHET_SRID)
    except OutsideProjection:  # far away: the storage CRS cannot hold it
        raise _outside_territory() from None
    check_in_territory(point)
    return point


def check_in_territory(point):
    # Inside (the usual case) is one query on the territory's GiST index; only a point
    # outside asks whether a territory is loaded at all.
    if not Territory.objects.covering(point).exists() and Territory.objects.exists():
        raise _outside_territory()


def _outside_territory() -> ValidationError:
    return ValidationError(
        _("This place is outside the municipality: the city can only act on its own "
          "territory."), code="outside_territory")


def clean_description(text: str) -> str:
    """Plain text: tags are removed (the text between them is kept), spaces trimmed."""
    text = strip_tags(text or "").strip()
    if not text:
        raise ValidationError(_("Describe the problem in a few words."), code="required")
    if len(text) > MAX_DESCRIPTION:
        raise ValidationError(_("At most %(n)d characters.") % {"n": MAX_DESCRIPTION},
                              code="too_long")
    return text


@transaction.atomic
def submit_request(*, category, point, description, answers=None, user=None, channel="web",
                   contact_name="", contact_email="", contact_phone="", address="",
                   photos=(), clerk=None, api_client=None, ip=None,
                   public: bool | None = None) -> ServiceRequest:
    """A new request. `user`: the signed-in citizen (or the citizen a clerk logs it for).
    Without a user, an e-mail is required and the request waits for its confirmation (web,
    Open311) unless a clerk logs it. `photos`: ProcessedPhoto objects (service_requests.photos),
    already checked; they are saved in this transaction. `public`: whether it may be shown to
    the public (never who asked); by default yes for what a citizen sends (the form says so),
    no for what a clerk logs (the caller must agree); never for a private category."""
    if not category.active:
        raise ValidationError(_("This category is no longer offered."), code="inactive")
    check_in_territory(point)
    description = clean_description(description)
    cleaned = clean_answers(category, answers or {})
    if user is None and not contact_email and clerk is None:
        raise ValidationError({"contact_email": _("Give your e-mail address: we write to you "
                                                  "when the request moves.")})
    confirmed = user is not None or clerk is not None
    if public is None:
        public = clerk is None
    public = public and category.privacy != category.Privacy.PRIVATE
    street_location, street_name = street_stretch(point)
    address, place = address.strip(), {}
    if not address:  # chosen on the map: described by the nearest address or street
        place = describe_place(point)
        address = place_label(place, settings.LANGUAGE_CODE)
    request = ServiceRequest.objects.create(
        category=category, department_id=category.department_id, location=point,
        street_location=street_location, street_name=street_name,
        address=address[:300], place=place, property=Property.objects.at_point(point),
        description=description, answers=cleaned, channel=channel, reporter=user,
        contact_name=contact_name, contact_email=contact_email or (user.email if user else ""),
        contact_phone=contact_phone, confirmed=confirmed, api_client=api_client,
        submitter_ip=ip, public=public)
    Event.objects.create(request=request, kind=Event.Kind.CREATED, actor=clerk or user,
                         to_status=Status.SUBMITTED, public=True)
    for processed in photos:
        attach_photo(request=request, processed=processed)
    if not confirmed:
        from .notifications import send_confirmation

        transaction.on_commit(lambda: send_confirmation.enqueue(request.pk))
    return request


def attach_photo(*, request, processed, event=None) -> Photo:
    from .photos import save_photo

    image_name, thumb_name = save_photo(processed)
    return Photo.objects.create(request=request, event=event, image=image_name,
                                thumbnail=thumb_name, width=processed.width,
                                height=processed.height)


@transaction.atomic
def confirm_email(*, token) -> ServiceRequest | None:
    """The anonymous reporter clicked the link: the request enters the queue."""
    request = (ServiceRequest.objects.select_for_update()
               .filter(confirm_token=token).first())
    if request is not None and not request.confirmed:
        request.confirmed = True
        request.save(update_fields=["confirmed", "updated_at"])
    return request


@transaction.atomic
def follow(*, request, user) -> bool:
    """"This is my problem too": `user` hears of the request's changes. False if they already
    reported or followed it."""
    if request.reporter_id == user.pk:
        return False
    _, created = Follower.objects.get_or_create(request=request, user=user,
                                                defaults={"confirmed_at": timezone.now()})
    return created


@transaction.atomic
def follow_by_email(*, request, email: str, language: str) -> Follower:
    """Following without an account: a follower waiting for the link sent to `email`
    (notifications.send_follow_confirmation, once the transaction commits). Following again
    before confirming sends the link again; an address already confirmed is left as it is."""
    email = (email or "").strip()
    follower, _ = Follower.objects.get_or_create(
        request=request, email__iexact=email, user=None,
        defaults={"email": email, "language": language})
    if follower.confirmed_at is None:
        from .notifications import send_follow_confirmation

        transaction.on_commit(lambda: send_follow_confirmation.enqueue(follower.pk))
    return follower


@transaction.atomic
def confirm_follow(*, token) -> Follower | None:
    follower = (Follower.objects.select_for_update().select_related("request")
                .filter(token=token, user=None).first())
    if follower is not None and follower.confirmed_at is None:
        follower.confirmed_at = timezone.now()
        follower.save(update_fields=["confirmed_at"])
    return follower


def stop_following(*, token) -> int:
    """The one-click "stop following" of an e-mail follower's messages: nothing kept."""
    return Follower.objects.filter(token=token, user=None).delete()[0]


REOPEN_DAYS = 30  # "still there" reopens a request marked fixed this recently
MAX_UPDATE = 2000


def takes_part(request, user) -> bool:
    """Whether `user` may add an update: they reported it or follow it with their account."""
    return user.is_authenticated and (
        request.reporter_id == user.pk or request.followers.filter(user=user).exists())


def may_reopen(request) -> bool:
    """A request marked fixed in the last REOPEN_DAYS days may be said "still there"."""
    return (request.status == Status.RESOLVED and request.closed_at is not None
            and request.closed_at >= timezone.now() - dt.timedelta(days=REOPEN_DAYS))


@transaction.atomic
def add_update(*, request, user, text, still_there=False, photos=()) -> Event:
    """A citizen's update to a request they reported or follow: news while it is open, or
    "still there" on one marked fixed in the last REOPEN_DAYS days, which reopens it (back to
    "submitted", in the queue, with the citizen's words for the clerk). Public, like the
    report; the others who follow it hear of it. `photos`: checked ProcessedPhoto objects,
    waiting for a clerk's approval like the report's."""
    request = _locked(request)
    if not takes_part(request, user):
        raise PermissionDenied
    text = strip_tags(text or "").strip()
    if not text:
        raise ValidationError({"text": _("Write a few words.")})
    if len(text) > MAX_UPDATE:
        raise ValidationError({"text": _("At most %(n)d characters.") % {"n": MAX_UPDATE}})
    if still_there:
        if not may_reopen(request):
            raise ValidationError(_("Only a request marked fixed in the last %(days)d days can "
                                    "be reopened. Report the problem again.")
                                  % {"days": REOPEN_DAYS}, code="not_reopenable")
        previous = request.status
        request.status, request.closed_at = Status.SUBMITTED, None
        request.save(update_fields=["status", "closed_at", "updated_at"])
        event = _event(request, kind=Event.Kind.REOPENED, by=user, note=text,
                       from_status=previous, to_status=Status.SUBMITTED)
    else:
        if not request.is_open():
            raise ValidationError(_("This request is closed. If the problem is back, report "
                                    "it again."), code="closed")
        event = _event(request, kind=Event.Kind.UPDATE, by=user, note=text)
    for processed in photos:
        attach_photo(request=request, processed=processed, event=event)
    return event


def _locked(request) -> ServiceRequest:
    return ServiceRequest.objects.select_for_update().get(pk=request.pk)


def _event(request, *, kind, by, note="", public=True, from_status="", to_status=""):
    event = Event.objects.create(request=request, kind=kind, actor=by, note=(note or "").strip(),
                                 public=public, from_status=from_status, to_status=to_status)
    if public:
        from .notifications import send_update

        transaction.on_commit(lambda: send_update.enqueue(event.pk))
    return event


@transaction.atomic
def change_status(*, request, status, by, note="", public=True, duplicate_of=None,
                  responsible_body="") -> Event:
    """A new status with its note. "Duplicate" needs the original; "not the city's
    responsibility" needs the body responsible; closing without a fix needs a note."""
    request = _locked(request)
    if status not in Status.values:
        raise ValidationError(_("Unknown status."), code="bad_status")
    if status == request.status:
        raise ValidationError(_("The request already has this status."), code="same_status")
    if status == Status.DUPLICATE:
        return merge(duplicate=request, original=duplicate_of, by=by, note=note)
    if status == Status.NOT_CITY:
        responsible_body = (responsible_body or "").strip()
        if not responsible_body:
            raise ValidationError({"responsible_body": _("Say which body is responsible.")})
        request.responsible_body = responsible_body
    if status == Status.CLOSED_NOT_FIXED and not (note or "").strip():
        raise ValidationError({"note": _("Explain to the citizen why it is closed.")})
    previous = request.status
    request.status = status
    request.closed_at = None if status in ServiceRequest.OPEN else timezone.now()
    request.save()
    return _event(request, kind=Event.Kind.STATUS, by=by, note=note, public=public,
                  from_status=previous, to_status=status)


@transaction.atomic
def merge(*, duplicate, original, by, note="") -> Event:
    """`duplicate` closes as a duplicate of `original`; its reporter and followers follow the
    original, so they hear of the fix."""
    if original is None:
        raise ValidationError({"duplicate_of": _("Give the number of the original request.")})
    duplicate, original = _locked(duplicate), _locked(original)
    if original.pk == duplicate.pk or original.duplicate_of_id == duplicate.pk:
        raise ValidationError({"duplicate_of": _("A request cannot be a duplicate of itself.")})
    if original.status == Status.DUPLICATE:
        original = original.duplicate_of  # point at the root, not at another duplicate
    people = {f.user_id for f in duplicate.followers.all()}
    if duplicate.reporter_id:
        people.add(duplicate.reporter_id)
    people.discard(original.reporter_id)
    for user_id in people:
        Follower.objects.get_or_create(request=original, user_id=user_id)
    previous = duplicate.status
    duplicate.status = Status.DUPLICATE
    duplicate.duplicate_of = original
    duplicate.closed_at = timezone.now()
    duplicate.save()
    _event(original, kind=Event.Kind.MERGED, by=by, public=False,
           note=_("Request #%(n)s merged into this one.") % {"n": duplicate.pk})
    return _event(duplicate, kind=Event.Kind.STATUS, by=by, note=note, public=True,
                  from_status=previous, to_status=Status.DUPLICATE)


@transaction.atomic
def add_note(*, request, by, note, public=False) -> Event:
    if not (note or "").strip():
        raise ValidationError({"note": _("Write the note.")})
    return _event(request, kind=Event.Kind.NOTE, by=by, note=note, public=public)


@transaction.atomic
def assign(*, request, to, by) -> Event:
    request = _locked(request)
    request.assigned_to = to
    request.save(update_fields=["assigned_to", "updated_at"])
    return _event(request, kind=Event.Kind.ASSIGNED, by=by, public=False,
                  note=str(to.get_full_name() or to.email) if to else _("unassigned"))


# An expected date is promised to the citizen (and e-mailed to the followers): from the day
# the request came in to two years ahead, not 1900-01-01.
EXPECTED_HORIZON = dt.timedelta(days=2 * 365)


def check_expected(request, on: dt.date | None) -> None:
    if on is None:
        return
    first = timezone.localdate(request.submitted_at)
    last = timezone.localdate() + EXPECTED_HORIZON
    if not first <= on <= last:
        raise ValidationError({"expected_on": _(
            "The expected date must be between the day of the request (%(first)s) and two "
            "years from today (%(last)s).") % {"first": first.isoformat(),
                                              "last": last.isoformat()}})


@transaction.atomic
def set_expected(*, request, on: dt.date | None, by, note="") -> Event:
    check_expected(request, on)
    request = _locked(request)
    request.expected_on = on
    request.save(update_fields=["expected_on", "updated_at"])
    return _event(request, kind=Event.Kind.EXPECTED, by=by, note=note, public=True)


@transaction.atomic
def review_photo(*, photo, approved: bool, by) -> Photo:
    """Staff decide whether a photo may be shown to the public (faces, plates, private
    property). Recorded as an internal event."""
    photo.approved = approved
    photo.save(update_fields=["approved"])
    _event(photo.request, kind=Event.Kind.NOTE, by=by, public=False,
           note=(_("Photo %(n)s approved for the public.") if approved
                 else _("Photo %(n)s kept private.")) % {"n": photo.pk})
    return photo


def erase_reporter_contact(user) -> None:
    """Account deletion: the requests stay (the city's records), without who made them."""
    ServiceRequest.objects.filter(reporter=user).update(
        contact_name="", contact_email="", contact_phone="", submitter_ip=None)
