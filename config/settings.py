"""Guichet settings. Every environment variable is declared, typed and defaulted here first;
.env.example lists the same ones for a deployment."""
from email.utils import parseaddr
from pathlib import Path
from urllib.parse import urlsplit

import environ
from csp.constants import NONCE, NONE, SELF
from django.core.exceptions import ImproperlyConfigured

BASE_DIR = Path(__file__).resolve().parent.parent

# Published in this file: only a loopback site (the demo, the tests) may run with it.
DEV_SECRET_KEY = "dev-only-insecure-key-change-me"

env = environ.Env(
    DEBUG=(bool, False),
    SECRET_KEY=(str, DEV_SECRET_KEY),
    ALLOWED_HOSTS=(list, ["127.0.0.1", "localhost", "[::1]"]),
    PGPORT=(int, 5544),
    DATABASE_URL=(str, ""),
    # "transaction" when DATABASE_URL reaches PostgreSQL through a transaction-mode pooler
    # (PgBouncer pool_mode = transaction): consecutive transactions may run on different server
    # connections, so no server-side cursors. Empty: a direct connection (or session mode).
    DATABASE_POOLER=(str, ""),
    # Protocol-level prepared statements (Django's psycopg options server_side_binding and
    # prepare_threshold): a statement run this many times on a connection is prepared there,
    # which saves PostgreSQL parsing and planning it again (measured in bench/RESULTS.md).
    # Empty: on, after psycopg's default of 5 runs, on a direct connection or behind a
    # session-mode pooler; off behind a transaction-mode pooler (DATABASE_POOLER=transaction:
    # PgBouncer cannot pool them before 1.21), where a number is refused. "off": off.
    DATABASE_PREPARE_THRESHOLD=(str, ""),
    # Django's cache, shared by every worker process: the schedule API's computed parts, and
    # the sign-in (allauth) and API (DRF) throttles' counters. The default is a table in the
    # database (created by `make migrate`); `rediscache://host:6379/1` for a Redis server.
    CACHE_URL=(str, "dbcache://guichet_cache?max_entries=10000"),
    # One projected metric CRS for storage (EPSG:32188 = NAD83 / MTM zone 8, south-west Quebec).
    # Set it before the first `migrate`: migrations read it.
    GUICHET_SRID=(int, 32188),
    GUICHET_PROXIMITY_M=(int, 300),
    GUICHET_MUNICIPALITY_NAME=(str, "Pincourt"),
    # Optional online base layer, e.g. https://tile.openstreetmap.org/{z}/{x}/{y}.png. Empty: the
    # map draws the town's own streets and parcels only (works with no internet).
    GUICHET_TILE_URL=(str, ""),
    GUICHET_TILE_ATTRIBUTION=(str, "© OpenStreetMap contributors"),
    GUICHET_BASEMAP_RENDERER=(str, "canvas"),
    GUICHET_API_PAGE_SIZE=(int, 200),
    # Domain part of the iCalendar UIDs: keep it stable, calendar apps key events on it.
    GUICHET_ICAL_DOMAIN=(str, "guichet.example"),
    STATIC_ROOT=(str, str(BASE_DIR / "staticfiles")),
    # The site's public address, for the links in e-mails sent by background tasks.
    GUICHET_SITE_URL=(str, "http://127.0.0.1:8000"),
    # The "contact" of Open311 discovery (empty: the city's name and the site's address).
    GUICHET_OPEN311_CONTACT=(str, ""),
    # The jurisdiction_id Open311 clients may send (optional for them; another one is a 404).
    # Empty: the host of GUICHET_SITE_URL, as the spec's examples use the city's domain.
    GUICHET_OPEN311_JURISDICTION=(str, ""),
    # Uploaded files (report photos): a folder, through Django's storage API.
    MEDIA_ROOT=(str, str(BASE_DIR / "media")),
    MEDIA_URL=(str, "/media/"),
    # Largest photo accepted, in bytes (checked before decoding).
    GUICHET_PHOTO_MAX_BYTES=(int, 10 * 1024 * 1024),
    # Reports from one address without an account, per hour (more: "try again later").
    GUICHET_ANONYMOUS_REPORTS_PER_HOUR=(int, 5),
    # Background tasks (e-mails): "immediate" runs them right after the request's commit (no
    # worker needed: the demo); "database" queues them for `manage.py db_worker`; "rq" queues
    # them in Redis (GUICHET_REDIS_URL) for RQ's workers (`manage.py rqworker`, README).
    GUICHET_TASKS=(str, "immediate"),
    # The Redis of GUICHET_TASKS=rq (its queue "default").
    GUICHET_REDIS_URL=(str, "redis://127.0.0.1:6380/0"),
    # Alerts (issue 13). Text messages: "alerts.channels.sms.ConsoleBackend" prints them,
    # "alerts.channels.sms.HttpGatewayBackend" posts JSON to GUICHET_SMS_URL (with
    # GUICHET_SMS_TOKEN as a bearer token when set).
    GUICHET_SMS_BACKEND=(str, "alerts.channels.sms.ConsoleBackend"),
    GUICHET_SMS_URL=(str, ""),
    GUICHET_SMS_TOKEN=(str, ""),
    # Browser notifications (Web Push, RFC 8030/8291/8292): the VAPID key pair as base64url raw
    # keys (public: the 65-byte uncompressed point the browser's applicationServerKey takes;
    # private: the 32-byte secret), from `manage.py vapid_keys`. Empty: no push channel anywhere.
    GUICHET_VAPID_PUBLIC_KEY=(str, ""),
    GUICHET_VAPID_PRIVATE_KEY=(str, ""),
    # The VAPID "sub" claim, how a push service reaches the city: a mailto: or https: URL.
    # Empty: mailto: and the address of DEFAULT_FROM_EMAIL.
    GUICHET_VAPID_SUBJECT=(str, ""),
    # Accept push endpoints on http://127.0.0.1 or http://localhost (a local push service: the
    # tests). Otherwise only https endpoints (and, with DEBUG, those loopback ones) are taken.
    GUICHET_PUSH_ALLOW_LOOPBACK=(bool, False),
    # The push services a browser's subscription may name (host names; their subdomains too):
    # the browsers' own (Chrome, Edge, Opera, Samsung: FCM; Firefox: Mozilla; Safari: Apple;
    # Windows: WNS). The server posts to these addresses: anything else is refused, so that a
    # forged subscription cannot make it call a host inside the city's network.
    GUICHET_PUSH_SERVICES=(list, ["fcm.googleapis.com", "android.googleapis.com",
                                  "push.services.mozilla.com", "push.apple.com",
                                  "notify.windows.com"]),
    # A sending task's hold on its messages (seconds): a worker killed while sending leaves
    # them to `manage.py resume_deliveries` once it has lapsed.
    GUICHET_DELIVERY_LEASE_S=(int, 300),
    # Messages per delivery row batch (one transaction) and per sending task.
    GUICHET_DELIVERY_BATCH=(int, 1000),
    GUICHET_DELIVERY_SEND_BATCH=(int, 100),
    GUICHET_DELIVERY_MARK_EVERY=(int, 10),
    # The local hour of the daily digest of minor alerts (subscribers who chose it).
    GUICHET_DIGEST_HOUR=(int, 7),
    LOG_LEVEL=(str, "INFO"),
    # Outgoing e-mail as a URL: smtp+tls://user:password@host:587, or consolemail:// (prints).
    EMAIL_URL=(str, "consolemail://"),
    # An e-mail provider's API instead of SMTP, through django-anymail: its module name
    # (postmark, mailgun, sendgrid, amazon_ses, brevo...), with ANYMAIL (JSON: the provider's
    # keys, e.g. {"POSTMARK_SERVER_TOKEN": "...", "WEBHOOK_SECRET": "user:password"}).
    GUICHET_EMAIL_ESP=(str, ""),
    DEFAULT_FROM_EMAIL=(str, "Guichet <ne-pas-repondre@guichet.example>"),
    # HTTPS hardening. Unset (None) = secure whenever the site is public, i.e. DEBUG is False
    # and ALLOWED_HOSTS names a host other than loopback; the demo and the tests (DEBUG False on
    # http://127.0.0.1) keep plain HTTP. Set a variable to force it either way.
    SESSION_COOKIE_SECURE=(bool, None),
    CSRF_COOKIE_SECURE=(bool, None),
    SECURE_SSL_REDIRECT=(bool, None),
    SECURE_HSTS_SECONDS=(int, None),  # unset: one year when public, else 0
    SECURE_HSTS_INCLUDE_SUBDOMAINS=(bool, None),
    SECURE_HSTS_PRELOAD=(bool, None),
    # Behind a TLS-terminating proxy, the header it sets, e.g. "X-Forwarded-Proto=https".
    # Only set it when the proxy always overwrites that header.
    SECURE_PROXY_SSL_HEADER=(str, ""),
    SECURE_CONTENT_TYPE_NOSNIFF=(bool, True),
    X_FRAME_OPTIONS=(str, "DENY"),
    SESSION_COOKIE_HTTPONLY=(bool, True),
    SESSION_COOKIE_SAMESITE=(str, "Lax"),
    # Sign-in throttling (django-allauth rate format: count/period/scope).
    ACCOUNT_LOGIN_FAILED_RATE=(str, "5/5m/ip,5/5m/key"),
    # How many reverse proxies in front of Guichet append to X-Forwarded-For (0: none, the
    # client's address is the connection's; the header, which anyone can send, is ignored).
    GUICHET_TRUSTED_PROXIES=(int, 0),
    # The longest a database statement may run (0: no limit): no request may hold a worker on a
    # runaway query. Management commands (the importers) lift it for their own connection.
    GUICHET_STATEMENT_TIMEOUT_MS=(int, 30_000),
    # The library's own system (ILS), over SIP2 (library/connectors/sip2.py). Empty host: no
    # library system, the library pages say so and the dashboard shows no library part.
    GUICHET_LIBRARY_SIP2_HOST=(str, ""),
    GUICHET_LIBRARY_SIP2_PORT=(int, 6001),
    GUICHET_LIBRARY_SIP2_TLS=(bool, False),  # TLS to the SIP2 server (its certificate checked)
    GUICHET_LIBRARY_SIP2_TLS_CA=(str, ""),  # a CA file for a private certificate
    # Login (message 93) when a user is set; the location code (CP) if the ILS wants one.
    GUICHET_LIBRARY_SIP2_USER=(str, ""),
    GUICHET_LIBRARY_SIP2_PASSWORD=(str, ""),
    GUICHET_LIBRARY_SIP2_LOCATION=(str, ""),
    GUICHET_LIBRARY_SIP2_INSTITUTION=(str, ""),  # the institution id (AO)
    GUICHET_LIBRARY_SIP2_TERMINAL_PASSWORD=(str, ""),  # AC, for the ILS that want one
    GUICHET_LIBRARY_SIP2_ENCODING=(str, "latin-1"),
    GUICHET_LIBRARY_SIP2_CHECKSUMS=(bool, True),  # sequence number (AY) and checksum (AZ)
    # The longest one call to the library's system may take, connection to last answer.
    GUICHET_LIBRARY_TIMEOUT_S=(float, 2.0),
    # A card's record (loans with their titles, holds, fines) is kept this long in the cache,
    # never in the database.
    GUICHET_LIBRARY_CACHE_S=(int, 300),
    # The circuit breaker: after this many failed calls in a row, the system is not called for
    # that many seconds (the state is in the shared cache: one for every worker).
    GUICHET_LIBRARY_BREAKER_FAILURES=(int, 3),
    GUICHET_LIBRARY_BREAKER_OPEN_S=(int, 60),
    # How long a card's PIN, once typed, is kept (encrypted) in the server-side session.
    GUICHET_LIBRARY_PIN_MINUTES=(int, 15),
    # Leisure registration: how long a seat put in a basket is held (the window open), and how
    # long a seat offered to the waiting list's first waits for their answer.
    GUICHET_LEISURE_HOLD_MINUTES=(int, 10),
    GUICHET_LEISURE_OFFER_HOURS=(int, 48),
)
environ.Env.read_env(BASE_DIR / ".env", overwrite=False)

DEBUG = env("DEBUG")
SECRET_KEY = env("SECRET_KEY")
ALLOWED_HOSTS = env("ALLOWED_HOSTS")
_PUBLIC = not DEBUG and not set(ALLOWED_HOSTS) <= {"127.0.0.1", "localhost", "[::1]", "::1"}


if _PUBLIC and SECRET_KEY == DEV_SECRET_KEY:
    raise ImproperlyConfigured(
        "SECRET_KEY is the published development key, and ALLOWED_HOSTS names a public host: "
        "set SECRET_KEY (in the environment or .env) to a long random value, e.g. the output of "
        "`python -c 'import secrets; print(secrets.token_urlsafe(50))'`.")


def _secure(name: str, public_default):
    """The variable if set, else the secure value on a public site, else the loopback one."""
    value = env(name)
    if value is not None:
        return value
    return public_default if _PUBLIC else type(public_default)()


SESSION_COOKIE_SECURE = _secure("SESSION_COOKIE_SECURE", True)
CSRF_COOKIE_SECURE = _secure("CSRF_COOKIE_SECURE", True)
SECURE_SSL_REDIRECT = _secure("SECURE_SSL_REDIRECT", True)
SECURE_HSTS_SECONDS = _secure("SECURE_HSTS_SECONDS", 365 * 24 * 3600)
SECURE_HSTS_INCLUDE_SUBDOMAINS = _secure("SECURE_HSTS_INCLUDE_SUBDOMAINS", True)
SECURE_HSTS_PRELOAD = _secure("SECURE_HSTS_PRELOAD", True)
if env("SECURE_PROXY_SSL_HEADER"):
    _header, _, _value = env("SECURE_PROXY_SSL_HEADER").partition("=")
    SECURE_PROXY_SSL_HEADER = ("HTTP_" + _header.strip().upper().replace("-", "_"),
                               _value.strip())
SECURE_CONTENT_TYPE_NOSNIFF = env("SECURE_CONTENT_TYPE_NOSNIFF")
X_FRAME_OPTIONS = env("X_FRAME_OPTIONS")
SESSION_COOKIE_HTTPONLY = env("SESSION_COOKIE_HTTPONLY")
SESSION_COOKIE_SAMESITE = env("SESSION_COOKIE_SAMESITE")

GUICHET_TRUSTED_PROXIES = env("GUICHET_TRUSTED_PROXIES")
GUICHET_SRID = env("GUICHET_SRID")
GUICHET_PROXIMITY_M = env("GUICHET_PROXIMITY_M")
GUICHET_MUNICIPALITY_NAME = env("GUICHET_MUNICIPALITY_NAME")
GUICHET_TILE_URL = env("GUICHET_TILE_URL")
GUICHET_TILE_ATTRIBUTION = env("GUICHET_TILE_ATTRIBUTION")
# Who draws the basemap's vector tiles in the browser (docs/basemap.md): "canvas" (a plain 2D
# canvas per tile, labels as text; any browser) or "maplibre" (MapLibre GL, WebGL; the canvas
# where the browser has no WebGL).
GUICHET_BASEMAP_RENDERER = env("GUICHET_BASEMAP_RENDERER")
if GUICHET_BASEMAP_RENDERER not in ("canvas", "maplibre"):
    raise ImproperlyConfigured("GUICHET_BASEMAP_RENDERER is canvas or maplibre.")
GUICHET_ICAL_DOMAIN = env("GUICHET_ICAL_DOMAIN")

INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "whitenoise.runserver_nostatic",
    "django.contrib.staticfiles",
    "django.contrib.gis",
    "django.contrib.postgres",
    "rest_framework",
    "rest_framework_gis",
    "rest_framework.authtoken",
    "django_filters",
    "drf_spectacular",
    "csp",  # its system checks (settings of django-csp 3.x)
    "drf_spectacular_sidecar",  # Swagger UI and ReDoc as our own static files (no CDN)
    "leaflet",
    # The house plan, bottom up: core <- geo <- properties <- the domain apps <- portal.
    "core",
    "geo",
    "properties",
    "taxes",
    "collections_schedule",
    "citizens",
    "service_requests",
    "alerts",
    "leisure",
    "library",
    "map_ui",
    "portal",
    "demo",
    "django_tasks",
    "django_tasks_db",
    "anymail",
    *(["django_rq", "django_tasks_rq"] if env("GUICHET_TASKS") == "rq" else []),
    # After citizens: its templates (citizens/templates/account/, allauth/) override allauth's.
    "allauth",
    "allauth.account",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    # Pages and API answers compressed (with Django's BREACH mitigation since 4.2); WhiteNoise
    # sends its own pre-compressed files, which this leaves alone.
    "django.middleware.gzip.GZipMiddleware",
    # Content-Security-Policy on every response (CONTENT_SECURITY_POLICY below); before the
    # others so that their responses (redirects, errors) carry it too.
    "csp.middleware.CSPMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.locale.LocaleMiddleware",
    "core.api_language.ApiLanguage",  # the API in the language of Accept-Language
    "core.http.RefuseNulBytes",  # after the locale: its 400 is in the visitor's language
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "allauth.account.middleware.AccountMiddleware",
]

ROOT_URLCONF = "config.urls"
WSGI_APPLICATION = "config.wsgi.application"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.template.context_processors.i18n",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
                "core.context_processors.site",
                "citizens.context_processors.display",
            ],
        },
    },
]

_default_db = f"postgis://postgres@127.0.0.1:{env('PGPORT')}/guichet"
DATABASES = {"default": env.db_url_config(env("DATABASE_URL") or _default_db)}
DATABASES["default"]["ENGINE"] = "django.contrib.gis.db.backends.postgis"
DATABASES["default"]["CONN_MAX_AGE"] = 60
DATABASES["default"]["CONN_HEALTH_CHECKS"] = True
DATABASE_POOLER = env("DATABASE_POOLER")
if DATABASE_POOLER not in ("", "session", "transaction"):
    raise ImproperlyConfigured(f"DATABASE_POOLER={DATABASE_POOLER!r}: '', 'session' or "
                               "'transaction'")
if DATABASE_POOLER == "transaction":
    # A server-side cursor lives in the server connection that the pooler may give to another
    # client between two transactions.
    DATABASES["default"]["DISABLE_SERVER_SIDE_CURSORS"] = True

_prepare = env("DATABASE_PREPARE_THRESHOLD").strip().lower()
if _prepare not in ("", "off") and not _prepare.isdigit():
    raise ImproperlyConfigured(f"DATABASE_PREPARE_THRESHOLD={_prepare!r}: empty (the default), "
                               "'off' or a whole number of runs")
if DATABASE_POOLER == "transaction":
    if _prepare not in ("", "off"):
        raise ImproperlyConfigured("DATABASE_PREPARE_THRESHOLD: no prepared statements behind "
                                   "a transaction-mode pooler")
elif _prepare != "off":
    DATABASES["default"].setdefault("OPTIONS", {}).update(
        server_side_binding=True, prepare_threshold=int(_prepare or 5))

GUICHET_STATEMENT_TIMEOUT_MS = env("GUICHET_STATEMENT_TIMEOUT_MS")
if GUICHET_STATEMENT_TIMEOUT_MS and DATABASE_POOLER != "transaction":
    # A transaction-mode pooler does not pass connection options on: set it on the database
    # role there (ALTER ROLE ... SET statement_timeout = '30s').
    DATABASES["default"].setdefault("OPTIONS", {})["options"] = (
        f"-c statement_timeout={GUICHET_STATEMENT_TIMEOUT_MS}")

CACHES = {"default": env.cache_url("CACHE_URL")}
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator"},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]

AUTHENTICATION_BACKENDS = [
    "django.contrib.auth.backends.ModelBackend",
    "allauth.account.auth_backends.AuthenticationBackend",
]

# Citizen accounts (django-allauth): e-mail and password, no username; the address is confirmed
# by a link before the first sign-in; no message reveals whether an address is registered.
LOGIN_URL = "account_login"
LOGIN_REDIRECT_URL = "portal:dashboard"
ACCOUNT_LOGOUT_REDIRECT_URL = "/"
ACCOUNT_LOGIN_METHODS = {"email"}
ACCOUNT_SIGNUP_FIELDS = ["email*", "password1*", "password2*"]
ACCOUNT_UNIQUE_EMAIL = True
ACCOUNT_EMAIL_VERIFICATION = "mandatory"
ACCOUNT_CONFIRM_EMAIL_ON_GET = False  # the link opens a page with a button: mail scanners
ACCOUNT_CHANGE_EMAIL = True  # the new address replaces the old one once confirmed
ACCOUNT_PREVENT_ENUMERATION = True
ACCOUNT_LOGIN_ON_EMAIL_CONFIRMATION = False
ACCOUNT_EMAIL_SUBJECT_PREFIX = f"[Guichet {GUICHET_MUNICIPALITY_NAME}] "
ACCOUNT_DEFAULT_HTTP_PROTOCOL = "https" if SECURE_SSL_REDIRECT else "http"
ACCOUNT_RATE_LIMITS = {"login_failed": env("ACCOUNT_LOGIN_FAILED_RATE")}
# Counts failed sign-ins per client address as core.http.client_ip reads it; the API's token
# endpoint counts in the same counters (citizens.adapter.authenticate).
ACCOUNT_ADAPTER = "citizens.adapter.AccountAdapter"

EMAIL_CONFIG = env.email_url("EMAIL_URL")
vars().update(EMAIL_CONFIG)
if env("GUICHET_EMAIL_ESP"):
    EMAIL_BACKEND = f"anymail.backends.{env('GUICHET_EMAIL_ESP')}.EmailBackend"
# The provider's settings; its delivery and bounce webhooks (/anymail/<provider>/tracking/)
# answer only when ANYMAIL names a WEBHOOK_SECRET (HTTP Basic credentials the provider sends).
ANYMAIL = env.json("ANYMAIL", default={})
DEFAULT_FROM_EMAIL = env("DEFAULT_FROM_EMAIL")
SERVER_EMAIL = DEFAULT_FROM_EMAIL

# French first, English too.
LANGUAGE_CODE = "fr"
LANGUAGES = [("fr", "Français"), ("en", "English")]
# Unambiguous dates in both languages (config/formats/: month in words, or ISO 8601).
FORMAT_MODULE_PATH = ["config.formats"]
LOCALE_PATHS = [BASE_DIR / "locale"]
TIME_ZONE = "America/Montreal"
USE_I18N = True
USE_TZ = True

STATIC_URL = "static/"
STATIC_ROOT = env("STATIC_ROOT")
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {"BACKEND": "whitenoise.storage.CompressedStaticFilesStorage"},
}

# WhiteNoise serves static files in every mode, straight from the apps when not collected yet
# (so `make demo` needs no separate static server); `collectstatic` adds compression. Once
# collected, only the collected files: WhiteNoise takes an app's copy of a file over the collected
# one, so with the finders on it never served the compressed copies (the basemap's MapLibre
# GL: 1.4 MB sent instead of 0.4 MB). With DEBUG, the apps' files as they are edited.
WHITENOISE_USE_FINDERS = DEBUG or not Path(STATIC_ROOT).is_dir()
WHITENOISE_AUTOREFRESH = DEBUG

DATA_UPLOAD_MAX_MEMORY_SIZE = 5 * 1024 * 1024
GUICHET_SITE_URL = env("GUICHET_SITE_URL").rstrip("/")
GUICHET_OPEN311_CONTACT = env("GUICHET_OPEN311_CONTACT")
GUICHET_OPEN311_JURISDICTION = (env("GUICHET_OPEN311_JURISDICTION")
                                or urlsplit(GUICHET_SITE_URL).hostname or "")
MEDIA_ROOT = env("MEDIA_ROOT")
MEDIA_URL = env("MEDIA_URL")
GUICHET_PHOTO_MAX_BYTES = env("GUICHET_PHOTO_MAX_BYTES")
GUICHET_ANONYMOUS_REPORTS_PER_HOUR = env("GUICHET_ANONYMOUS_REPORTS_PER_HOUR")
# Uploads larger than this go to a temporary file instead of memory.
FILE_UPLOAD_MAX_MEMORY_SIZE = 2_621_440

GUICHET_SMS_BACKEND = env("GUICHET_SMS_BACKEND")
GUICHET_SMS_URL = env("GUICHET_SMS_URL")
GUICHET_SMS_TOKEN = env("GUICHET_SMS_TOKEN")
GUICHET_VAPID_PUBLIC_KEY = env("GUICHET_VAPID_PUBLIC_KEY").strip()
GUICHET_VAPID_PRIVATE_KEY = env("GUICHET_VAPID_PRIVATE_KEY").strip()
GUICHET_VAPID_SUBJECT = (env("GUICHET_VAPID_SUBJECT")
                         or "mailto:" + parseaddr(DEFAULT_FROM_EMAIL)[1])
GUICHET_PUSH_ALLOW_LOOPBACK = env("GUICHET_PUSH_ALLOW_LOOPBACK")
GUICHET_PUSH_SERVICES = [h.strip().lower().strip(".") for h in env("GUICHET_PUSH_SERVICES")
                         if h.strip()]
GUICHET_DELIVERY_LEASE_S = env("GUICHET_DELIVERY_LEASE_S")
GUICHET_DELIVERY_BATCH = env("GUICHET_DELIVERY_BATCH")
GUICHET_DELIVERY_SEND_BATCH = env("GUICHET_DELIVERY_SEND_BATCH")
# Sent marks committed in groups of this many messages (alerts.channels.SentMarks): a worker
# killed mid-batch sends at most this many messages a second time, with the same Message-ID.
GUICHET_DELIVERY_MARK_EVERY = env("GUICHET_DELIVERY_MARK_EVERY")
GUICHET_DIGEST_HOUR = env("GUICHET_DIGEST_HOUR")

# The library's system (issue 16: library/).
GUICHET_LIBRARY_SIP2 = {
    "host": env("GUICHET_LIBRARY_SIP2_HOST"), "port": env("GUICHET_LIBRARY_SIP2_PORT"),
    "tls": env("GUICHET_LIBRARY_SIP2_TLS"), "tls_ca": env("GUICHET_LIBRARY_SIP2_TLS_CA"),
    "user": env("GUICHET_LIBRARY_SIP2_USER"), "password": env("GUICHET_LIBRARY_SIP2_PASSWORD"),
    "location": env("GUICHET_LIBRARY_SIP2_LOCATION"),
    "institution": env("GUICHET_LIBRARY_SIP2_INSTITUTION"),
    "terminal_password": env("GUICHET_LIBRARY_SIP2_TERMINAL_PASSWORD"),
    "encoding": env("GUICHET_LIBRARY_SIP2_ENCODING"),
    "checksums": env("GUICHET_LIBRARY_SIP2_CHECKSUMS"),
}
GUICHET_LIBRARY_TIMEOUT_S = env("GUICHET_LIBRARY_TIMEOUT_S")
GUICHET_LIBRARY_CACHE_S = env("GUICHET_LIBRARY_CACHE_S")
GUICHET_LIBRARY_BREAKER_FAILURES = env("GUICHET_LIBRARY_BREAKER_FAILURES")
GUICHET_LIBRARY_BREAKER_OPEN_S = env("GUICHET_LIBRARY_BREAKER_OPEN_S")
GUICHET_LIBRARY_PIN_MINUTES = env("GUICHET_LIBRARY_PIN_MINUTES")
GUICHET_LEISURE_HOLD_MINUTES = min(max(env("GUICHET_LEISURE_HOLD_MINUTES"), 1), 60)
GUICHET_LEISURE_OFFER_HOURS = min(max(env("GUICHET_LEISURE_OFFER_HOURS"), 1), 24 * 14)
if not 0 <= GUICHET_DIGEST_HOUR <= 23:
    raise ImproperlyConfigured("GUICHET_DIGEST_HOUR is an hour of the day, 0 to 23.")

TASKS = {"default": {"BACKEND": {
    "immediate": "django_tasks.backends.immediate.ImmediateBackend",
    "database": "django_tasks_db.DatabaseBackend",
    "rq": "django_tasks_rq.RQBackend",
}[env("GUICHET_TASKS")]}}
# GUICHET_TASKS=rq: the tasks' queue in Redis (django-rq's setting, read by django-tasks-rq),
# and the job class its workers need to run django-tasks' tasks (`manage.py rqworker`).
RQ_QUEUES = {"default": {"URL": env("GUICHET_REDIS_URL")}}
RQ = {"JOB_CLASS": "django_tasks_rq.Job"}

REST_FRAMEWORK = {
    "DEFAULT_SCHEMA_CLASS": "core.api_schema.AutoSchema",  # declares the error answers
    # The session only (views that take the app's token say so): DRF's default also reads HTTP
    # Basic credentials, which would let anyone try passwords on any API URL with none of the
    # sign-in's throttles (a wrong one answered 403, a right one 200).
    "DEFAULT_AUTHENTICATION_CLASSES": ["rest_framework.authentication.SessionAuthentication"],
    "DEFAULT_FILTER_BACKENDS": ["django_filters.rest_framework.DjangoFilterBackend"],
    "DEFAULT_RENDERER_CLASSES": ["rest_framework.renderers.JSONRenderer"],
    "DEFAULT_PERMISSION_CLASSES": ["rest_framework.permissions.AllowAny"],
    "DEFAULT_PAGINATION_CLASS": "rest_framework.pagination.PageNumberPagination",
    "PAGE_SIZE": env("GUICHET_API_PAGE_SIZE"),
    "EXCEPTION_HANDLER": "config.api_errors.exception_handler",
    # Throttles key on the client's address as core.http.client_ip reads it: X-Forwarded-For
    # only as far as trusted proxies wrote it (DRF's default trusts whatever a client sends).
    "NUM_PROXIES": GUICHET_TRUSTED_PROXIES,
}
SPECTACULAR_SETTINGS = {
    "TITLE": "Guichet API",
    "DESCRIPTION": "Properties, evaluation roll and nearby municipal places (GeoJSON, WGS 84). "
                   "Answers are in the language of the Accept-Language header: English or "
                   "French, French when neither is asked for (Content-Language says which).",
    "VERSION": "0.1.0",
    "SERVE_INCLUDE_SCHEMA": False,
    # /api/docs/ loads Swagger UI from our static files (drf-spectacular-sidecar, pinned in
    # pyproject.toml), not from a CDN that could serve other code.
    "SWAGGER_UI_DIST": "SIDECAR",
    "SWAGGER_UI_FAVICON_HREF": "SIDECAR",
    "REDOC_DIST": "SIDECAR",
}

LEAFLET_CONFIG = {
    # Leaflet is served from django-leaflet's static files: no CDN, works offline.
    "DEFAULT_CENTER": (45.375, -73.99),
    "DEFAULT_ZOOM": 14,
    "MIN_ZOOM": 11,
    "MAX_ZOOM": 20,
    "TILES": ([("OpenStreetMap", env("GUICHET_TILE_URL"),
                {"attribution": env("GUICHET_TILE_ATTRIBUTION"), "maxZoom": 19})]
              if env("GUICHET_TILE_URL") else []),
    "ATTRIBUTION_PREFIX": "Guichet",
    "RESET_VIEW": False,
}



def _tile_source(url: str) -> list[str]:
    """The CSP source of the tile host of a Leaflet URL template ("https://{s}.tile.osm.org/..."
    gives "https://*.tile.osm.org"). A placeholder elsewhere in the host is refused: CSP has no
    pattern for it, and widening to any host would let any image in."""
    if not url:
        return []
    scheme, _, rest = url.partition("://")
    host = rest.split("/", 1)[0]
    labels = host.split(".")
    if "{" in labels[0]:
        labels[0] = "*"
    if any("{" in label for label in labels) or not scheme:
        raise ImproperlyConfigured(
            f"GUICHET_TILE_URL {url!r}: only the host's first label may be a placeholder")
    return [f"{scheme}://{'.'.join(labels)}"]


# Content-Security-Policy (django-csp): scripts and styles from our origin only; an inline
# <script>/<style> only with the request's nonce (django-leaflet's form widget, the zone split
# page and the admin's map editor: it reads request.csp_nonce). No 'unsafe-inline', no
# 'unsafe-eval', no style="" attributes (templates give colours as data- attributes that
# core/colours.js applies through the CSSOM). Images: ours, data: URLs (Leaflet's icons) and
# the tile host. The nonce appears in the header only on the pages that used it.
CONTENT_SECURITY_POLICY = {
    "DIRECTIVES": {
        "default-src": [SELF],
        "script-src": [SELF, NONCE],
        "style-src": [SELF, NONCE],
        "img-src": [SELF, "data:", *_tile_source(GUICHET_TILE_URL)],
        "font-src": [SELF],
        "connect-src": [SELF],
        "frame-ancestors": [NONE],
        "object-src": [NONE],
        "base-uri": [SELF],
        "form-action": [SELF],
    },
}

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "handlers": {"console": {"class": "logging.StreamHandler"}},
    "root": {"handlers": ["console"], "level": env("LOG_LEVEL")},
}

# Debian 12 ships GDAL 3.6, which cannot block file/network access from spatial references; the
# importers only read files the city's own staff provide, so the warning is acknowledged here.
SILENCED_SYSTEM_CHECKS = ["gis.W001"]
