"""Requests and reports (signalements): one queue for every channel (web, phone, counter,
e-mail, Open311), each request with its history of events.

Categories, their extra questions and the departments they route to are data (admin, or
`load_request_categories`). The request number (the primary key) is public, as in Open311;
the citizen's own pages use `public_id`, a UUID. Personal data (who reported, their e-mail,
internal notes) never leaves the citizen's and the staff's pages."""
import uuid

from django.conf import settings
from django.contrib.gis.db import models
from django.db.models import Q
from django.db.models.functions import Lower
from django.urls import reverse
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from core.bilingual import localized, localized_key

SRID = settings.GUICHET_SRID
User = settings.AUTH_USER_MODEL


class Department(models.Model):
    code = models.SlugField(unique=True)
    name_fr = models.CharField(_("name (French)"), max_length=120)
    name_en = models.CharField(_("name (English)"), max_length=120)
    email = models.EmailField(_("e-mail"), blank=True)

    class Meta:
        ordering = ["code"]
        verbose_name = _("department")
        verbose_name_plural = _("departments")

    def __str__(self):
        return self.name

    @property
    def name(self):
        return localized(self, "name")


class Category(models.Model):
    """What can be reported (Open311: a service). `code` is the Open311 service_code."""

    class Privacy(models.TextChoices):
        PUBLIC = "public", _("public (category, place and status, never who asked)")
        STREET = "street", _("public at the street, without the exact place (never who asked)")
        PRIVATE = "private", _("private (never shown to the public)")

    code = models.SlugField(unique=True)
    name_fr = models.CharField(_("name (French)"), max_length=120)
    name_en = models.CharField(_("name (English)"), max_length=120)
    description_fr = models.TextField(_("description (French)"), blank=True)
    description_en = models.TextField(_("description (English)"), blank=True)
    group_fr = models.CharField(_("group (French)"), max_length=80, blank=True)
    group_en = models.CharField(_("group (English)"), max_length=80, blank=True)
    keywords = models.CharField(_("keywords"), max_length=300, blank=True)
    department = models.ForeignKey(Department, on_delete=models.PROTECT,
                                   related_name="categories", verbose_name=_("department"))
    target_days = models.PositiveSmallIntegerField(
        _("target delay (days)"), default=10,
        help_text=_("A request still open after this many days is overdue."))
    active = models.BooleanField(_("active"), default=True)
    sort_order = models.PositiveSmallIntegerField(default=100)
    # Noise, neighbours and other personal matters: never on the public map, list or Open311.
    # A missed collection and the like (a household's own door): public, but shown at the
    # middle of the stretch of street it faces, by the street's name (selectors.public_queryset).
    privacy = models.CharField(_("privacy"), max_length=10, choices=Privacy.choices,
                               default=Privacy.PUBLIC, db_default=Privacy.PUBLIC)

    class Meta:
        ordering = ["sort_order", "code"]
        verbose_name = _("request category")
        verbose_name_plural = _("request categories")

    def __str__(self):
        return self.name

    @property
    def name(self):
        return localized(self, "name")

    @property
    def description(self):
        return localized(self, "description")

    @property
    def group(self):
        return localized(self, "group")


class Question(models.Model):
    """An extra question of a category (Open311: an attribute of the service definition)."""

    class Kind(models.TextChoices):
        TEXT = "text", _("text")
        NUMBER = "number", _("number")
        DATE = "date", _("date")
        SINGLE = "single", _("one choice")
        MULTIPLE = "multiple", _("several choices")

    category = models.ForeignKey(Category, on_delete=models.CASCADE, related_name="questions")
    code = models.SlugField()
    label_fr = models.CharField(_("question (French)"), max_length=200)
    label_en = models.CharField(_("question (English)"), max_length=200)
    help_fr = models.CharField(_("help (French)"), max_length=300, blank=True)
    help_en = models.CharField(_("help (English)"), max_length=300, blank=True)
    kind = models.CharField(_("kind of answer"), max_length=10, choices=Kind.choices)
    required = models.BooleanField(_("required"), default=False)
    # [{"key": "wood", "fr": "Bois", "en": "Wood"}, ...] for the choice kinds.
    choices = models.JSONField(_("choices"), default=list, blank=True)
    sort_order = models.PositiveSmallIntegerField(default=100)

    class Meta:
        ordering = ["sort_order", "pk"]
        verbose_name = _("question")
        verbose_name_plural = _("questions")
        constraints = [models.UniqueConstraint(fields=["category", "code"],
                                               name="question_code_unique")]

    def __str__(self):
        return self.label

    @property
    def label(self):
        return localized(self, "label")

    @property
    def help(self):
        return localized(self, "help")

    def choice_pairs(self):
        return [(c["key"], localized_key(c, c["key"])) for c in self.choices]


class ServiceRequest(models.Model):
    class Status(models.TextChoices):
        SUBMITTED = "submitted", _("submitted")
        ACKNOWLEDGED = "acknowledged", _("acknowledged")
        IN_PROGRESS = "in_progress", _("in progress")
        PLANNED = "planned", _("planned")
        RESOLVED = "resolved", _("resolved (fixed)")
        CLOSED_NOT_FIXED = "closed", _("closed, not fixed")
        DUPLICATE = "duplicate", _("duplicate")
        NOT_CITY = "not_city", _("not the city's responsibility")

    OPEN = (Status.SUBMITTED, Status.ACKNOWLEDGED, Status.IN_PROGRESS, Status.PLANNED)

    class Channel(models.TextChoices):
        WEB = "web", _("web")
        PHONE = "phone", _("phone")
        COUNTER = "counter", _("counter")
        EMAIL = "email", _("e-mail")
        API = "api", _("app (Open311)")

    public_id = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    category = models.ForeignKey(Category, on_delete=models.PROTECT, related_name="requests",
                                 verbose_name=_("category"))
    department = models.ForeignKey(Department, on_delete=models.PROTECT, related_name="requests",
                                   verbose_name=_("department"))
    location = models.PointField(_("location"), srid=SRID)
    address = models.CharField(_("address"), max_length=300, blank=True)
    # A place chosen on the map in words (properties.place_names.describe: "near 140 Chemin
    # Duhamel", a street between two others), language-neutral; `address` then holds it in
    # French, the city's working language (exports, search, Open311). {} for an address typed.
    place = models.JSONField(_("place in words"), default=dict, blank=True)
    # Where the public sees it when its category says "at the street": the middle of the
    # stretch of the nearest street and that street's name (geo.selectors.street_stretch),
    # kept for every request so that a category may change its privacy level.
    street_location = models.PointField(_("place shown at the street"), srid=SRID, null=True,
                                        blank=True)
    street_name = models.CharField(_("street shown"), max_length=255, blank=True)
    property = models.ForeignKey("properties.Property", null=True, blank=True,
                                 on_delete=models.SET_NULL, related_name="service_requests")
    description = models.TextField(_("description"), max_length=5000)
    answers = models.JSONField(_("answers"), default=dict, blank=True)
    status = models.CharField(_("status"), max_length=15, choices=Status.choices,
                              default=Status.SUBMITTED, db_index=True)
    channel = models.CharField(_("channel"), max_length=10, choices=Channel.choices,
                               default=Channel.WEB)
    # Who asked. Personal: shown to them and to staff only.
    reporter = models.ForeignKey(User, null=True, blank=True, on_delete=models.SET_NULL,
                                 related_name="service_requests", verbose_name=_("citizen"))
    contact_name = models.CharField(_("name"), max_length=200, blank=True)
    contact_email = models.EmailField(_("e-mail"), blank=True)
    contact_phone = models.CharField(_("phone"), max_length=40, blank=True)
    # An anonymous report counts once its e-mail is confirmed (a link to click).
    confirmed = models.BooleanField(default=True, db_index=True)
    # On the public map, list and Open311 (never who asked): what the citizen saw on the web
    # form, or what a caller agreed to at the desk or on the phone; never for a private
    # category (selectors.public_queryset).
    public = models.BooleanField(_("shown to the public"), default=True, db_default=True)
    confirm_token = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    submitted_at = models.DateTimeField(_("submitted at"), auto_now_add=True, db_index=True)
    updated_at = models.DateTimeField(_("updated at"), auto_now=True)
    closed_at = models.DateTimeField(_("closed at"), null=True, blank=True)
    expected_on = models.DateField(_("expected date"), null=True, blank=True)
    assigned_to = models.ForeignKey(User, null=True, blank=True, on_delete=models.SET_NULL,
                                    related_name="+", verbose_name=_("assigned to"))
    duplicate_of = models.ForeignKey("self", null=True, blank=True, on_delete=models.SET_NULL,
                                     related_name="duplicates", verbose_name=_("duplicate of"))
    responsible_body = models.CharField(_("body responsible"), max_length=200, blank=True)
    api_client = models.ForeignKey("ApiClient", null=True, blank=True,
                                   on_delete=models.SET_NULL, related_name="requests")
    submitter_ip = models.GenericIPAddressField(null=True, blank=True)

    class Meta:
        ordering = ["-submitted_at"]
        verbose_name = _("request")
        verbose_name_plural = _("requests")
        indexes = [models.Index(fields=["category", "status"], name="request_cat_status")]

    def __str__(self):
        return f"#{self.pk} {self.category}"

    # (Methods, not properties: the `property` field shadows the builtin in this class.)
    def is_open(self):
        return self.status in self.OPEN

    def place_label(self) -> str:
        """Where it is, in the reader's language: the place in words when chosen on the map,
        else the address given."""
        from properties.place_names import label

        return label(self.place) if self.place else self.address

    def shown_place_label(self) -> str:
        """place_label for the public: the street's name alone for a category shown "at the
        street" (public_queryset's shown_address)."""
        if self.category.privacy == Category.Privacy.STREET:
            return self.street_name
        return self.place_label()


CLERK_CHANNELS = (ServiceRequest.Channel.PHONE, ServiceRequest.Channel.COUNTER,
                  ServiceRequest.Channel.EMAIL)


class Follower(models.Model):
    """Someone who has the same problem ("this is my problem too") and hears of its changes:
    a citizen with an account, or an e-mail address without one, counted once its owner
    followed the link sent to it (`confirmed_at`); `token` is in that link and in the
    one-click "stop following" link of every message."""

    request = models.ForeignKey(ServiceRequest, on_delete=models.CASCADE,
                                related_name="followers")
    user = models.ForeignKey(User, on_delete=models.CASCADE, related_name="followed_requests",
                             null=True, blank=True)
    email = models.EmailField(_("e-mail"), blank=True)
    language = models.CharField(max_length=5, blank=True)
    token = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    confirmed_at = models.DateTimeField(null=True, blank=True)
    since = models.DateTimeField(auto_now_add=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["request", "user"], name="one_follow_per_user"),
            models.UniqueConstraint(Lower("email"), "request", name="one_follow_per_email",
                                    condition=~Q(email="")),
            models.CheckConstraint(condition=Q(user__isnull=False) | ~Q(email=""),
                                   name="follower_has_account_or_email"),
        ]


class Event(models.Model):
    """One step of a request's history. Public events are shown to the citizen (and in Open311
    notes); internal ones only to staff."""

    class Kind(models.TextChoices):
        CREATED = "created", _("submitted")
        STATUS = "status", _("status changed")
        NOTE = "note", _("note")
        ASSIGNED = "assigned", _("assigned")
        EXPECTED = "expected", _("expected date")
        MERGED = "merged", _("duplicate merged")
        # From the citizen who reported or follows it: news ("it got bigger"), or "still
        # there" on a request marked fixed, which reopens it.
        UPDATE = "update", _("update from a citizen")
        REOPENED = "reopened", _("reopened: still there")

    request = models.ForeignKey(ServiceRequest, on_delete=models.CASCADE, related_name="events")
    at = models.DateTimeField(auto_now_add=True)
    actor = models.ForeignKey(User, null=True, blank=True, on_delete=models.SET_NULL,
                              related_name="+")
    kind = models.CharField(max_length=10, choices=Kind.choices)
    from_status = models.CharField(max_length=15, choices=ServiceRequest.Status.choices,
                                   blank=True)
    to_status = models.CharField(max_length=15, choices=ServiceRequest.Status.choices,
                                 blank=True)
    note = models.TextField(_("note"), blank=True, max_length=5000)
    public = models.BooleanField(_("public"), default=True)

    class Meta:
        ordering = ["at", "pk"]
        verbose_name = _("event")
        verbose_name_plural = _("events")

    def display_note(self) -> str:
        """The note as shown, in the reader's language: the creation of a request a clerk
        logged says how it came (stored as a fact, the channel, not as a sentence)."""
        channel = self.request.channel if self.kind == self.Kind.CREATED else None
        if not self.note and channel in CLERK_CHANNELS:
            return gettext("Logged by a clerk (%(channel)s).") % {
                "channel": self.request.get_channel_display()}
        return self.note


class Photo(models.Model):
    """A re-encoded photo (no EXIF) and its thumbnail. Public only once staff approved it."""

    request = models.ForeignKey(ServiceRequest, on_delete=models.CASCADE, related_name="photos")
    # The citizen's update it came with (None: with the report itself).
    event = models.ForeignKey("Event", null=True, blank=True, on_delete=models.SET_NULL,
                              related_name="photos")
    image = models.FileField(max_length=200)
    thumbnail = models.FileField(max_length=200)
    width = models.PositiveIntegerField(default=0)
    height = models.PositiveIntegerField(default=0)
    approved = models.BooleanField(_("approved for the public"), null=True, blank=True)
    uploaded_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["uploaded_at", "pk"]
        verbose_name = _("photo")
        verbose_name_plural = _("photos")

    # Served through views.photos (who may see it is checked), never from MEDIA_URL.
    @property
    def image_url(self) -> str:
        return reverse("service_requests:photo", args=[self.pk, "image"])

    @property
    def thumbnail_url(self) -> str:
        return reverse("service_requests:photo", args=[self.pk, "thumbnail"])


class ApiClient(models.Model):
    """An Open311 client (an app, a partner) and its api_key, kept hashed (SHA-256: the key is
    32 random bytes, not a password)."""

    name = models.CharField(_("name"), max_length=120)
    key_hash = models.CharField(max_length=64, unique=True)
    active = models.BooleanField(_("active"), default=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("Open311 client")
        verbose_name_plural = _("Open311 clients")

    def __str__(self):
        return self.name
