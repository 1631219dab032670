"""Settings shared by every environment; values come from environment variables (django-environ)."""

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
    "django.contrib.admin",
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
    "notifications",
    "incidents",
    "compensation",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.locale.LocaleMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    # Who made a change: every write in the request carries the user into the case history.
    "pghistory.middleware.HistoryMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
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
            ],
        },
    },
]

DATABASES = {"default": env.db("DATABASE_URL", default="postgres://127.0.0.1:5432/mamori")}
DATABASES["default"]["ATOMIC_REQUESTS"] = True
DATABASES["default"]["CONN_MAX_AGE"] = env.int("DJANGO_CONN_MAX_AGE", default=60)
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

AUTH_USER_MODEL = "incidents.User"
AUTHENTICATION_BACKENDS = ["incidents.auth.StaffBackend"]
LOGIN_URL = "login"
LOGIN_REDIRECT_URL = "incidents:home"
LOGOUT_REDIRECT_URL = "login"

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

SESSION_COOKIE_AGE = env.int("MAMORI_SESSION_SECONDS", default=8 * 60 * 60)
SESSION_EXPIRE_AT_BROWSER_CLOSE = True
CSRF_FAILURE_VIEW = "incidents.views.csrf_failure"

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
    "deadline-digest": {
        "task": "incidents.tasks.send_deadline_digest",
        "schedule": crontab(hour=8, minute=0),  # Asia/Tokyo (CELERY_TIMEZONE)
        "options": {"expires": 6 * 60 * 60},
    },
}

EMAIL_BACKEND = env(
    "DJANGO_EMAIL_BACKEND", default="django.core.mail.backends.console.EmailBackend"
)
DEFAULT_FROM_EMAIL = env("DJANGO_DEFAULT_FROM_EMAIL", default="mamori@bank.example")
EMAIL_FILE_PATH = env("DJANGO_EMAIL_FILE_PATH", default=str(BASE_DIR / "var" / "mail"))
# The address staff open the case desk at, for links in emails.
MAMORI_BASE_URL = env("MAMORI_BASE_URL", default="http://127.0.0.1:8000")

# The institution's own details, printed on receipts and letters.
MAMORI_INSTITUTION_NAME = env("MAMORI_INSTITUTION_NAME", default="まもり銀行")
MAMORI_LOSS_DESK_PHONE = env("MAMORI_LOSS_DESK_PHONE", default="0120-000-110")
MAMORI_LOSS_DESK_HOURS = env("MAMORI_LOSS_DESK_HOURS", default="24時間・365日")
MAMORI_FRAUD_HOTLINE_PHONE = env("MAMORI_FRAUD_HOTLINE_PHONE", default="0120-000-119")
MAMORI_FRAUD_HOTLINE_HOURS = env(
    "MAMORI_FRAUD_HOTLINE_HOURS", default="月～金曜日 9:00～17:00（銀行休業日を除く）"
)
# The narrow interface to core banking (DOMAIN §3): replace with a real adapter's dotted path.
MAMORI_CORE_BANKING_ADAPTER = env(
    "MAMORI_CORE_BANKING_ADAPTER", default="incidents.corebanking.RecordingAdapter"
)
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
