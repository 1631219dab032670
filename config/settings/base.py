"""Settings shared by every environment; values come from environment variables (django-environ)."""

from datetime import timedelta
from pathlib import Path

import environ
from celery.schedules import crontab
from django.utils.translation import gettext_lazy as _

BASE_DIR = Path(__file__).resolve().parent.parent.parent

env = environ.Env()
if (BASE_DIR / ".env").is_file():
    env.read_env(str(BASE_DIR / ".env"))

SECRET_KEY = env("DJANGO_SECRET_KEY", default="insecure-dev-key-change-me")
DEBUG = env.bool("DJANGO_DEBUG", default=False)
ALLOWED_HOSTS = env.list("DJANGO_ALLOWED_HOSTS", default=["localhost", "127.0.0.1", "[::1]"])

INSTALLED_APPS = [
    # The admin site signs in through the staff login (password, one-time password, lockout).
    "config.apps.MamoriAdminConfig",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "whitenoise.runserver_nostatic",
    "django.contrib.staticfiles",
    "django.contrib.humanize",
    "crispy_forms",
    "crispy_bootstrap5",
    "pgtrigger",
    "pghistory",
    "django_otp",
    "django_otp.plugins.otp_totp",
    "django_otp.plugins.otp_static",
    "axes",
    "csp",
    "accounts",
    "notifications",
    "incidents",
    "compensation",
    "webhooks",
    "rest_framework",
    "drf_spectacular",
    "api",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "csp.middleware.CSPMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    # Every answer after the static files: no-store, private (personal data on nearly every page).
    "accounts.middleware.NoStoreMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    # Oversize bodies are refused (413) before the CSRF check or a view reads them.
    "accounts.middleware.RequestSizeLimitMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    # /healthz is answered as nobody: nothing after this reads the session or the user from the
    # database, which may be what is down.
    "config.health.HealthProbeMiddleware",
    # Japanese unless the member of staff chose English (not the browser's language).
    "accounts.language.StaffLanguageMiddleware",
    "django_otp.middleware.OTPMiddleware",
    # A terminal left alone signs itself out; then nothing but the second factor until it is given.
    "accounts.middleware.IdleTimeoutMiddleware",
    "accounts.middleware.SecondFactorMiddleware",
    # A 403, or a 404 on a case's URL, given to a member of staff is recorded for compliance,
    # after the view's transaction has been rolled back.
    "incidents.audit.refusals.AccessRefusalMiddleware",
    # Every call of an API client on the access log, after the call's transaction.
    "api.middleware.ApiCallLogMiddleware",
    # Who made a change: every write in the request carries the user into the case history.
    "pghistory.middleware.HistoryMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    # Last: turns a lockout found while signing in into the Japanese lockout page.
    "axes.middleware.AxesMiddleware",
]

ROOT_URLCONF = "config.urls"
WSGI_APPLICATION = "config.wsgi.application"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [BASE_DIR / "templates"],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.template.context_processors.i18n",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
                "incidents.context_processors.mamori",
                "notifications.context_processors.bell",
                "accounts.context_processors.security",
            ],
        },
    },
]

DATABASES = {"default": env.db("DATABASE_URL", default="postgres://127.0.0.1:5432/mamori")}
DATABASES["default"]["ATOMIC_REQUESTS"] = True
DATABASES["default"]["CONN_MAX_AGE"] = env.int("DJANGO_CONN_MAX_AGE", default=60)
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

AUTH_USER_MODEL = "incidents.User"
# Axes first: it refuses a locked-out account or address before the password is checked.
AUTHENTICATION_BACKENDS = [
    "axes.backends.AxesStandaloneBackend",
    "incidents.access.auth.StaffBackend",
]
LOGIN_URL = "login"
LOGIN_REDIRECT_URL = "incidents:home"
LOGOUT_REDIRECT_URL = "login"

# Argon2id for new and changed passwords; older hashes are upgraded at the next sign-in.
PASSWORD_HASHERS = [
    "django.contrib.auth.hashers.Argon2PasswordHasher",
    "django.contrib.auth.hashers.PBKDF2PasswordHasher",
    "django.contrib.auth.hashers.PBKDF2SHA1PasswordHasher",
    "django.contrib.auth.hashers.ScryptPasswordHasher",
]
AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {
        "NAME": "django.contrib.auth.password_validation.MinimumLengthValidator",
        "OPTIONS": {"min_length": 12},
    },
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]

# Japanese by default, in Japan time; English is the one translation.
LANGUAGE_CODE = "ja"
LANGUAGES = [("ja", _("日本語")), ("en", _("English"))]
LOCALE_PATHS = [BASE_DIR / "locale"]
TIME_ZONE = "Asia/Tokyo"
USE_I18N = True
USE_TZ = True

STATIC_URL = "static/"
STATIC_ROOT = env("DJANGO_STATIC_ROOT", default=str(BASE_DIR / "var" / "staticfiles"))
STATICFILES_DIRS = [BASE_DIR / "static"]
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {"BACKEND": "whitenoise.storage.CompressedStaticFilesStorage"},
}

CRISPY_ALLOWED_TEMPLATE_PACKS = "bootstrap5"
CRISPY_TEMPLATE_PACK = "bootstrap5"
# Django's widget templates, with inputs, selects and text areas written in Python (same output).
FORM_RENDERER = "config.form_renderer.WidgetRenderer"

SESSION_COOKIE_AGE = env.int("MAMORI_SESSION_SECONDS", default=8 * 60 * 60)
SESSION_EXPIRE_AT_BROWSER_CLOSE = True
SESSION_COOKIE_HTTPONLY = True
SESSION_COOKIE_SAMESITE = "Lax"
CSRF_FAILURE_VIEW = "accounts.errors.csrf_failure"

# Sign-in security (accounts app).
# A one-time password (TOTP) at every sign-in, for every role. Production turns it on; the demo and
# a developer's machine may leave it off, and the login page then says so.
MAMORI_REQUIRE_OTP = env.bool("MAMORI_REQUIRE_OTP", default=False)
# Seconds without using the terminal before the session ends, and the warning before that.
MAMORI_IDLE_TIMEOUT = env.int("MAMORI_IDLE_TIMEOUT", default=15 * 60)
MAMORI_IDLE_WARNING = env.int("MAMORI_IDLE_WARNING", default=60)
OTP_TOTP_ISSUER = env("MAMORI_OTP_ISSUER", default="Mamori")
OTP_TOTP_THROTTLE_FACTOR = 1

# Lockout (django-axes), by account and address together (accounts/lockout.py): failures of one
# account from one address — of the password and of the one-time password alike — make that pair
# wait, and nobody else: never an account from every address, never every account behind one
# address (a branch behind one NAT address, the monitoring center). The 5th failure of a pair
# (MAMORI_LOGIN_FAILURE_LIMIT) makes it wait 1 minute (MAMORI_LOCKOUT_MINUTES); after a wait it
# may try again, and each further failure doubles the wait (2, 4, 8, 16 minutes), at most 30
# (MAMORI_LOCKOUT_MAX_MINUTES). No CAPTCHA: the wait lifts by itself. A complete sign-in of the
# pair (after the second factor) clears its failures; so does an administrator (admin: アクセス試行,
# or ``manage.py axes_reset_ip_username IP NAME`` / ``axes_reset_username NAME``); otherwise they
# are forgotten MAMORI_LOCKOUT_MEMORY_HOURS after the pair's last failure.
MAMORI_LOGIN_FAILURE_LIMIT = env.int("MAMORI_LOGIN_FAILURE_LIMIT", default=5)
MAMORI_LOCKOUT_MINUTES = env.int("MAMORI_LOCKOUT_MINUTES", default=1)
MAMORI_LOCKOUT_MAX_MINUTES = env.int("MAMORI_LOCKOUT_MAX_MINUTES", default=30)
MAMORI_LOCKOUT_MEMORY_HOURS = env.int("MAMORI_LOCKOUT_MEMORY_HOURS", default=24)
AXES_LOCKOUT_PARAMETERS = [["username", "ip_address"]]  # the pair, never one of them alone
# Called with the request and the credentials (so with the pair): the pair's limit while it waits,
# one more failure once the wait is over.
AXES_FAILURE_LIMIT = "accounts.lockout.failure_limit"
# In axes' terms the cool-off is how long a pair's failures are remembered after its last one; one
# span for every pair, since axes also deletes every row older than it (see accounts/lockout.py).
AXES_COOLOFF_TIME = max(
    timedelta(hours=MAMORI_LOCKOUT_MEMORY_HOURS), timedelta(minutes=MAMORI_LOCKOUT_MAX_MINUTES)
)
# An attempt while the pair waits is refused unread: it neither counts nor lengthens the wait.
AXES_RESET_COOL_OFF_ON_FAILURE_DURING_LOCKOUT = False
AXES_RESET_ON_SUCCESS = False  # reset by us once the second factor is given, not at the password
AXES_LOCKOUT_CALLABLE = "accounts.views.locked_out"
AXES_ENABLE_ACCESS_FAILURE_LOG = True
# Behind N trusted reverse proxies, the client is the Nth address from the right of
# X-Forwarded-For; with 0 (the default) it is the connection's own address.
MAMORI_TRUSTED_PROXY_COUNT = env.int("MAMORI_TRUSTED_PROXY_COUNT", default=0)
AXES_CLIENT_IP_CALLABLE = "accounts.services.client_ip"
AXES_VERBOSE = False
# Never kept in the attempt log as typed: passwords, one-time passwords, recovery codes.
AXES_SENSITIVE_PARAMETERS = ["username", "ip_address", "token", "csrfmiddlewaretoken"]

# Attachments customers hand in: outside the static and media roots, under random names.
MAMORI_ATTACHMENT_ROOT = env(
    "MAMORI_ATTACHMENT_ROOT", default=str(BASE_DIR / "var" / "attachments")
)
# How many business days before a freeze case's period ends its owner and supervisors are told.
MAMORI_FREEZE_REMIND_BUSINESS_DAYS = env.int("MAMORI_FREEZE_REMIND_BUSINESS_DAYS", default=5)
MAMORI_ATTACHMENT_MAX_BYTES = env.int("MAMORI_ATTACHMENT_MAX_BYTES", default=10 * 1024 * 1024)

# Request bodies: forms are small; a bigger body is refused with 413 before it is read.
DATA_UPLOAD_MAX_MEMORY_SIZE = env.int("DJANGO_DATA_UPLOAD_MAX_MEMORY_SIZE", default=1024 * 1024)
DATA_UPLOAD_MAX_NUMBER_FIELDS = env.int("DJANGO_DATA_UPLOAD_MAX_NUMBER_FIELDS", default=1000)
FILE_UPLOAD_MAX_MEMORY_SIZE = 2 * 1024 * 1024
FILE_UPLOAD_PERMISSIONS = 0o600

# Content-Security-Policy (django-csp): our own scripts and styles only; no inline script or
# style attribute anywhere (Bootstrap's form icons are data: images).
CONTENT_SECURITY_POLICY = {
    "DIRECTIVES": {
        "default-src": ["'self'"],
        "script-src": ["'self'"],
        "style-src": ["'self'"],
        "img-src": ["'self'", "data:"],
        "font-src": ["'self'"],
        "connect-src": ["'self'"],
        "object-src": ["'none'"],
        "base-uri": ["'self'"],
        "form-action": ["'self'"],
        "frame-ancestors": ["'none'"],
    }
}
X_FRAME_OPTIONS = "DENY"
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "same-origin"
SECURE_CROSS_ORIGIN_OPENER_POLICY = "same-origin"

# Celery: Redis in production, any kombu URL (filesystem:// for the embedded demo) elsewhere.
REDIS_URL = env("REDIS_URL", default="redis://127.0.0.1:6379/0")
CELERY_BROKER_URL = env("CELERY_BROKER_URL", default=REDIS_URL)
CELERY_RESULT_BACKEND = None
CELERY_TIMEZONE = TIME_ZONE
CELERY_TASK_ACKS_LATE = True
CELERY_TASK_REJECT_ON_WORKER_LOST = True
CELERY_WORKER_PREFETCH_MULTIPLIER = 1
CELERY_TASK_SERIALIZER = "json"
CELERY_ACCEPT_CONTENT = ["json"]
CELERY_BROKER_CONNECTION_RETRY_ON_STARTUP = True
CELERY_BROKER_TRANSPORT_OPTIONS = env.json("CELERY_BROKER_TRANSPORT_OPTIONS", default={})
CELERY_BEAT_SCHEDULE: dict = {
    # Each run acts once per deadline step (compare-and-swap), so an overlap or a second beat is
    # harmless; ``expires`` drops scans that queued up while no worker ran.
    "scan-deadlines": {
        "task": "incidents.tasks.scan_deadlines",
        "schedule": 60.0,
        "options": {"expires": 55},
    },
    # Stop requests owed to the core: sent again with backoff, asked for their state, escalated
    # when unconfirmed; each row claimed by compare-and-swap, so overlapping runs act once.
    "sweep-core-requests": {
        "task": "incidents.tasks.sweep_core_requests",
        "schedule": env.float("MAMORI_CORE_SWEEP_SECONDS", default=15.0),
        "options": {"expires": 14},
    },
    "resend-owed-emails": {
        "task": "notifications.tasks.resend_owed_emails",
        "schedule": 60.0,
        "options": {"expires": 55},
    },
    # The dashboard's figures over a year of cases (a materialized view, refreshed without
    # blocking readers); the page shows when they were computed.
    "refresh-dashboard": {
        "task": "compensation.tasks.refresh_dashboard",
        "schedule": env.float("MAMORI_DASHBOARD_REFRESH_SECONDS", default=300.0),
        "options": {"expires": 240},
    },
    # Owed webhooks (broker was down, receiver failed and is due again, a worker died); each
    # delivery is claimed by compare-and-swap, so an overlapping run hands nothing over twice.
    "sweep-webhooks": {
        "task": "webhooks.tasks.sweep_webhook_deliveries",
        "schedule": 30.0,
        "options": {"expires": 25},
    },
    # Reminders of the freeze cases' periods; claimed by compare-and-swap, so overlaps are harmless.
    "scan-freeze-reminders": {
        "task": "compensation.tasks.scan_freeze_reminders",
        "schedule": 60.0,
        "options": {"expires": 55},
    },
    "deadline-digest": {
        "task": "incidents.tasks.send_deadline_digest",
        "schedule": crontab(hour=8, minute=0),  # Asia/Tokyo (CELERY_TIMEZONE)
        "options": {"expires": 6 * 60 * 60},
    },
}

# Webhooks out (docs/webhooks.md): the first retry's delay (doubling after each failure, at most an
# hour) and how long a receiver may take to answer.
MAMORI_WEBHOOK_RETRY_BASE_SECONDS = env.float("MAMORI_WEBHOOK_RETRY_BASE_SECONDS", default=30.0)
MAMORI_WEBHOOK_TIMEOUT_SECONDS = env.float("MAMORI_WEBHOOK_TIMEOUT_SECONDS", default=10.0)

EMAIL_BACKEND = env(
    "DJANGO_EMAIL_BACKEND", default="django.core.mail.backends.console.EmailBackend"
)
DEFAULT_FROM_EMAIL = env("DJANGO_DEFAULT_FROM_EMAIL", default="mamori@bank.example")
EMAIL_FILE_PATH = env("DJANGO_EMAIL_FILE_PATH", default=str(BASE_DIR / "var" / "mail"))
# The mail server, for the SMTP backend (django.core.mail.backends.smtp.EmailBackend).
EMAIL_HOST = env("DJANGO_EMAIL_HOST", default="localhost")
EMAIL_PORT = env.int("DJANGO_EMAIL_PORT", default=25)
EMAIL_HOST_USER = env("DJANGO_EMAIL_HOST_USER", default="")
EMAIL_HOST_PASSWORD = env("DJANGO_EMAIL_HOST_PASSWORD", default="")
EMAIL_USE_TLS = env.bool("DJANGO_EMAIL_USE_TLS", default=False)
EMAIL_USE_SSL = env.bool("DJANGO_EMAIL_USE_SSL", default=False)
# Seconds a worker waits on the mail server before giving up on a step; well under the
# notifications' STALE_CLAIM (10 minutes), so a live send never looks like a dead one.
EMAIL_TIMEOUT = env.int("DJANGO_EMAIL_TIMEOUT", default=60)
# The address staff open the case desk at, for links in emails.
MAMORI_BASE_URL = env("MAMORI_BASE_URL", default="http://127.0.0.1:8000")

# The institution's own details, printed on receipts and letters. The defaults are translated
# lazily, in the reader's language; a value set in the environment is printed as it is. (The lazy
# default is applied after env() so that django-environ never evaluates it at import time.)
MAMORI_INSTITUTION_NAME = env("MAMORI_INSTITUTION_NAME", default="") or _("まもり銀行")
MAMORI_LOSS_DESK_PHONE = env("MAMORI_LOSS_DESK_PHONE", default="0120-000-110")
MAMORI_LOSS_DESK_HOURS = env("MAMORI_LOSS_DESK_HOURS", default="") or _("24時間・365日")
MAMORI_FRAUD_HOTLINE_PHONE = env("MAMORI_FRAUD_HOTLINE_PHONE", default="0120-000-119")
MAMORI_FRAUD_HOTLINE_HOURS = env("MAMORI_FRAUD_HOTLINE_HOURS", default="") or _(
    "月～金曜日 9:00～17:00（銀行休業日を除く）"
)
# The narrow interface to core banking (docs/domain.md §3): replace with a real adapter's dotted
# path.
MAMORI_CORE_BANKING_ADAPTER = env(
    "MAMORI_CORE_BANKING_ADAPTER", default="incidents.cases.corebanking.RecordingAdapter"
)
# The HTTP adapter (incidents.cases.corebanking.HttpCoreBankingAdapter): where the core answers,
# and how long one call may take before the stop is retried from the outbox (seconds).
MAMORI_CORE_BANKING_URL = env("MAMORI_CORE_BANKING_URL", default="http://127.0.0.1:8010")
MAMORI_CORE_BANKING_TIMEOUT = env.float("MAMORI_CORE_BANKING_TIMEOUT", default=3.0)
# A stop the core has not confirmed this many minutes after it was requested is escalated to the
# monitoring center and the branch's supervisors.
MAMORI_STOP_CONFIRM_MINUTES = env.int("MAMORI_STOP_CONFIRM_MINUTES", default=15)
MAMORI_DEMO = env.bool("MAMORI_DEMO", default=False)
# Counterfeit-card withdrawals at one ATM within this many days of each other are linked as a
# possible skimming point (incidents.links).
MAMORI_SKIMMING_WINDOW_DAYS = env.int("MAMORI_SKIMMING_WINDOW_DAYS", default=14)

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "formatters": {"plain": {"format": "%(asctime)s %(levelname)s %(name)s %(message)s"}},
    "handlers": {"console": {"class": "logging.StreamHandler", "formatter": "plain"}},
    "root": {"handlers": ["console"], "level": env("DJANGO_LOG_LEVEL", default="INFO")},
    "loggers": {"django.db.backends": {"level": "WARNING"}},
}

# Case history (django-pghistory): the actual time of each change, so changes made in one
# transaction keep their order across tables.
PGHISTORY_CREATED_AT_FUNCTION = "clock_timestamp()"

# The REST API for other systems (api/, docs/api.md). Clients are systems with a bearer token; no
# session, no browsable pages. Throttling counts in the "api" cache: Redis where REDIS_URL is set,
# so every web process shares one budget per client.
CACHES = {
    "default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"},
    "api": (
        {
            "BACKEND": "django.core.cache.backends.redis.RedisCache",
            "LOCATION": REDIS_URL,
            # An unreachable Redis is noticed in a second, and the throttle counts locally.
            "OPTIONS": {"socket_connect_timeout": 1, "socket_timeout": 1},
        }
        if env("REDIS_URL", default="")
        else {"BACKEND": "django.core.cache.backends.locmem.LocMemCache", "LOCATION": "api"}
    ),
}
MAMORI_API_RATE = env("MAMORI_API_RATE", default="600/min")
REST_FRAMEWORK = {
    "DEFAULT_AUTHENTICATION_CLASSES": ["api.authentication.ClientTokenAuthentication"],
    "DEFAULT_PERMISSION_CLASSES": ["rest_framework.permissions.IsAuthenticated"],
    "DEFAULT_THROTTLE_CLASSES": ["api.throttling.ClientRateThrottle"],
    "DEFAULT_RENDERER_CLASSES": ["rest_framework.renderers.JSONRenderer"],
    "DEFAULT_PARSER_CLASSES": ["rest_framework.parsers.JSONParser"],
    "DEFAULT_SCHEMA_CLASS": "drf_spectacular.openapi.AutoSchema",
    "EXCEPTION_HANDLER": "api.errors.api_exception_handler",
    "UNAUTHENTICATED_USER": None,
    "COERCE_DECIMAL_TO_STRING": False,
}
SPECTACULAR_SETTINGS = {
    "TITLE": "Mamori API",
    "DESCRIPTION": "The case desk's API for other systems (docs/api.md).",
    "VERSION": "1.0.0",
    "SERVE_INCLUDE_SCHEMA": False,
    "SCHEMA_PATH_PREFIX": "/api/v1/",
    "COMPONENT_SPLIT_REQUEST": True,
    "ENUM_NAME_OVERRIDES": {
        "CaseStatusEnum": "incidents.models.choices.CaseStatus",
        "StopStatusEnum": "incidents.models.choices.ActionStatus",
        "StopKindEnum": "incidents.models.choices.ActionKind",
        "DeadlineStateEnum": "incidents.models.choices.DeadlineState",
        "DeadlineKindEnum": "incidents.models.choices.DeadlineKind",
        "DecisionStatusEnum": "compensation.choices.DecisionStatus",
        "LineStatusEnum": "compensation.choices.LineStatus",
        "ItemKindEnum": "incidents.models.choices.ItemKind",
        "ItemStateEnum": "incidents.models.choices.ItemState",
    },
    # 3.1: nullable fields as JSON Schema types, so the schema validates answers as it stands.
    "OAS_VERSION": "3.1.0",
}
# How long a change to a case must have settled before /api/v1/cases/changes lists it: a write
# whose transaction was still open when a reader's cursor passed its time would otherwise be missed.
MAMORI_API_CHANGES_SETTLE_SECONDS = env.int("MAMORI_API_CHANGES_SETTLE_SECONDS", default=2)
