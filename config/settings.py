"""Settings for every environment, read from environment variables.

The defaults run a fresh checkout on SQLite with the django-q2 ORM broker.
Production sets DEBUG=false, SECRET_KEY, ALLOWED_HOSTS, DATABASE_URL and optionally
REDIS_URL; `.env.example` lists every variable.
"""

import warnings
from datetime import timedelta
from pathlib import Path
from urllib.parse import urlsplit, urlunsplit

import dj_database_url
from csp.constants import NONE, SELF
from django.core.exceptions import ImproperlyConfigured
from django.utils.translation import gettext_lazy as _

from config.env import env_bool, env_int, env_list, env_str, env_url

BASE_DIR = Path(__file__).resolve().parent.parent
VAR_DIR = Path(env_str("VAR_DIR", str(BASE_DIR / "var")))

DEBUG = env_bool("DEBUG", True)

SECRET_KEY = env_str("SECRET_KEY")
if not SECRET_KEY:
    if not DEBUG:
        raise ImproperlyConfigured("SECRET_KEY must be set when DEBUG is off")
    SECRET_KEY = "insecure-development-key-only-for-debug-mode"
# Keys retired by a rotation, comma-separated: links signed with them (certificate
# downloads, sessions, password resets) keep working until they expire (README, Production).
SECRET_KEY_FALLBACKS = env_list("SECRET_KEY_FALLBACKS", [])

ALLOWED_HOSTS = env_list("ALLOWED_HOSTS", ["127.0.0.1", "localhost"] if DEBUG else [])
CSRF_TRUSTED_ORIGINS = env_list("CSRF_TRUSTED_ORIGINS", [])
SITE_URL = env_url("SITE_URL", "http://127.0.0.1:8000", schemes=("http", "https"))
# In development the address `make run ADDRESS=...` serves (its SITE_URL) is allowed too.
if DEBUG and urlsplit(SITE_URL).hostname not in ALLOWED_HOSTS:
    ALLOWED_HOSTS.append(urlsplit(SITE_URL).hostname)

INSTALLED_APPS = [
    "core",
    "cms",
    "recruiting",
    "curriculum",
    "assignments",
    "wagtail.contrib.forms",
    "wagtail.contrib.routable_page",
    "wagtail.contrib.redirects",
    "wagtail.contrib.settings",
    "wagtail.contrib.sitemaps",
    "wagtail.embeds",
    "wagtail.sites",
    "wagtail.users",
    "wagtail.snippets",
    "wagtail.documents",
    "wagtail.images",
    "wagtail.search",
    "wagtail.admin",
    "wagtail",
    "wagtailcache",
    "modelcluster",
    "taggit",
    "django_q",
    "axes",
    "csp",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.sitemaps",
    "django.contrib.staticfiles",
]

MIDDLEWARE = [
    "core.middleware.HeadWithoutBodyMiddleware",
    "django.middleware.security.SecurityMiddleware",
    "core.middleware.ContentSecurityPolicyMiddleware",
    "core.middleware.PermissionsPolicyMiddleware",
    "core.middleware.RequestBodyLimitMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "wagtail.contrib.redirects.middleware.RedirectMiddleware",
    # Last, so it turns a locked sign-in flagged by the backend into the lockout page.
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
                "django.template.context_processors.debug",
                "django.template.context_processors.request",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
                "wagtail.contrib.settings.context_processors.settings",
            ],
        },
    },
]

# SQLite by default; DATABASE_URL (postgres://...) in production.
DATABASES = {
    "default": dj_database_url.parse(
        env_url(
            "DATABASE_URL",
            f"sqlite:///{VAR_DIR / 'db.sqlite3'}",
            schemes=("sqlite", "postgres", "postgresql"),
        ),
        conn_max_age=env_int("DB_CONN_MAX_AGE", 60, minimum=0),
        conn_health_checks=True,
    )
}
if DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":
    # WAL lets the web server and the worker read while the other writes.
    DATABASES["default"]["OPTIONS"] = {
        "init_command": "PRAGMA journal_mode=WAL;",
        "transaction_mode": "IMMEDIATE",
        "timeout": 20,
    }
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

# Caches: the database by default, so every web process shares them without a
# server; Redis when REDIS_URL is set. Published pages live in their own cache
# ("pages") because publishing clears it whole, and that must not wipe anything else.
REDIS_URL = env_url("REDIS_URL", schemes=("redis", "rediss"))
PAGE_CACHE_REDIS_DB = env_int("PAGE_CACHE_REDIS_DB", 1, minimum=0)
PAGE_CACHE_SECONDS = env_int("PAGE_CACHE_SECONDS", 3600, minimum=0)
if REDIS_URL:
    redis_parts = urlsplit(REDIS_URL)
    if redis_parts.path.strip("/") == str(PAGE_CACHE_REDIS_DB):
        raise ImproperlyConfigured("PAGE_CACHE_REDIS_DB must differ from the database of REDIS_URL")
    CACHES = {
        "default": {"BACKEND": "django.core.cache.backends.redis.RedisCache", "LOCATION": REDIS_URL},
        "pages": {
            "BACKEND": "django.core.cache.backends.redis.RedisCache",
            "LOCATION": urlunsplit(redis_parts._replace(path=f"/{PAGE_CACHE_REDIS_DB}")),
            "TIMEOUT": PAGE_CACHE_SECONDS,
        },
    }
else:
    CACHES = {
        "default": {"BACKEND": "django.core.cache.backends.db.DatabaseCache", "LOCATION": "cache"},
        "pages": {
            "BACKEND": "django.core.cache.backends.db.DatabaseCache",
            "LOCATION": "page_cache",
            "TIMEOUT": PAGE_CACHE_SECONDS,
            "OPTIONS": {"MAX_ENTRIES": 5000},
        },
    }
WAGTAIL_CACHE = env_bool("PAGE_CACHE", True)
WAGTAIL_CACHE_BACKEND = "pages"

# Background jobs: the ORM broker on the default database needs no extra server.
# `timeout` stays below `retry` so a slow task is not handed out twice.
Q_CLUSTER = {
    "name": "csrc",
    "workers": env_int("Q_WORKERS", 2, minimum=1),
    "timeout": 120,
    "retry": 180,
    "max_attempts": 3,
    "catch_up": False,
    "save_limit": 1000,
    "label": _("Background jobs"),
}
if REDIS_URL:
    Q_CLUSTER["redis"] = REDIS_URL
else:
    Q_CLUSTER["orm"] = "default"

# Uploads (Wagtail images and documents, the certificate seal) may be this large; a
# request body over the limit plus room for the form around the file is refused with a
# Korean 413 page by core.middleware before anything reads it. The proxy in front sets
# the same ceiling (README, client_max_body_size).
UPLOAD_MAX_MB = env_int("UPLOAD_MAX_MB", 10, minimum=1)
WAGTAILIMAGES_MAX_UPLOAD_SIZE = UPLOAD_MAX_MB * 1024 * 1024
REQUEST_BODY_MAX_BYTES = (UPLOAD_MAX_MB + 1) * 1024 * 1024

# The marking grid posts one field per trainee and module (60 × 30 and more); Django's
# default of 1,000 fields would refuse it.
DATA_UPLOAD_MAX_NUMBER_FIELDS = 5000

# How long the graduate's emailed link to download their certificate works.
CERTIFICATE_LINK_DAYS = env_int("CERTIFICATE_LINK_DAYS", 30, minimum=1)

# How long personal data is kept, rule by rule (assignments.retention; docs/decisions.md,
# "Retention"). An application rejected, withdrawn or lapsed: this many days after the outcome
# (DESIGN §2). Whoever joined the talent pool: this many days from her consent, if later.
APPLICANT_RETENTION_DAYS = env_int("APPLICANT_RETENTION_DAYS", 180, minimum=1)
TALENT_POOL_RETENTION_DAYS = env_int("TALENT_POOL_RETENTION_DAYS", 365, minimum=1)
# An application nobody decided on lapses this many days after its round closed (after
# the cohort started, once accepted); then the first rule applies.
APPLICATION_LAPSE_DAYS = env_int("APPLICATION_LAPSE_DAYS", 60, minimum=1)
# A trainee's or consultant's record: this many days after the training or the work ended.
TRAINING_RECORD_RETENTION_DAYS = env_int("TRAINING_RECORD_RETENTION_DAYS", 3 * 365, minimum=1)
# A customer of the book who left it (her contracts ended or a planner took them over): her
# name, mobile, address and contracts this many days after she left, then destroyed.
CUSTOMER_RECORD_RETENTION_DAYS = env_int("CUSTOMER_RECORD_RETENTION_DAYS", 365, minimum=30)
# The notice that told a customer of her new manager: its words and the run's letters (her name
# and address) this many days after the run was applied, then destroyed; the row stays.
CUSTOMER_NOTICE_RETENTION_DAYS = env_int("CUSTOMER_NOTICE_RETENTION_DAYS", 90, minimum=7)
# Who looked at or exported whose data: kept two years (the access-log duty), then deleted.
ACCESS_RECORD_RETENTION_DAYS = env_int("ACCESS_RECORD_RETENTION_DAYS", 2 * 365, minimum=365)
# The share of morning meetings (present or late) a trainee needs to graduate, in percent.
GRADUATION_ATTENDANCE_PERCENT = env_int("GRADUATION_ATTENDANCE_PERCENT", 90, minimum=0)
# A consultant reaches each customer a plan gave her within this many days of the plan's
# applying; her list shows the first contacts still due by that deadline (assignments.selectors).
FIRST_CONTACT_DAYS = env_int("FIRST_CONTACT_DAYS", 7, minimum=1)

# Rate limits of the public forms: scope -> (requests, seconds). core.ratelimit
# counts them in the database so every web process shares them.
RATE_LIMITS = {
    "apply:address": (env_int("RATE_LIMIT_APPLY_PER_ADDRESS", 20, minimum=1), 3600),
    "apply:mobile": (env_int("RATE_LIMIT_APPLY_PER_MOBILE", 5, minimum=1), 3600),
    "status_link:address": (env_int("RATE_LIMIT_LOST_LINK_PER_ADDRESS", 10, minimum=1), 3600),
    "status_link:contact": (3, 3600),
    "status_page:address": (120, 3600),
    # Certificate verification: generous for people checking one paper, tight for guessing.
    "certificate_verify:address": (60, 3600),
    # The page that confirms a consultant is real: the same, for customers checking a message.
    "consultant_verify:address": (60, 3600),
    # A consultant asking for the link that sets her password: a few per hour are plenty.
    "consultant_password:address": (10, 3600),
    "consultant_password:email": (3, 3600),
}
# How many reverse proxies of ours stand in front of the web processes: the visitor's
# address is that many entries from the right of X-Forwarded-For (core.ratelimit); 0 uses
# the connection's. USE_X_FORWARDED_FOR=true is the older name of one proxy.
TRUSTED_PROXY_COUNT = env_int("TRUSTED_PROXY_COUNT", int(env_bool("USE_X_FORWARDED_FOR", False)), minimum=0)

AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator"},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]
LOGIN_URL = "wagtailadmin_login"

# Brute-force protection of the admin sign-in (django-axes). A username is locked after
# AXES_FAILURE_LIMIT failures within the cool-off from any number of addresses, and an
# address after as many failures whatever usernames it tried; each lock lasts the cool-off
# from the last failure, and HR lifts one early under Settings → Sign-in locks. Locking
# the username alone would let one address try a password on every account; locking the
# pair alone would let a botnet guess one account from many addresses.
AUTHENTICATION_BACKENDS = [
    "axes.backends.AxesStandaloneBackend",
    "django.contrib.auth.backends.ModelBackend",
]
AXES_FAILURE_LIMIT = env_int("LOGIN_FAILURE_LIMIT", 5, minimum=1)
AXES_COOLOFF_TIME = timedelta(minutes=env_int("LOGIN_LOCK_MINUTES", 30, minimum=1))
AXES_LOCKOUT_PARAMETERS = ["username", "ip_address"]
AXES_CLIENT_IP_CALLABLE = "core.ratelimit.client_address"
AXES_LOCKOUT_CALLABLE = "core.login_locks.lockout_response"
# One row per failure, flagged when it locked out: HR's history of lockouts.
AXES_ENABLE_ACCESS_FAILURE_LOG = True
# Successful sign-ins are not recorded: nothing reads them, and they are personal data.
AXES_DISABLE_ACCESS_LOG = True

# Korean first. The public site is always Korean (its content is); staff may pick
# English for the admin in their account settings, which Wagtail applies itself.
LANGUAGE_CODE = "ko"
LANGUAGES = [("ko", "한국어"), ("en", "English")]
# Ours first; the overrides correct Django's and Wagtail's own Korean catalogues.
LOCALE_PATHS = [BASE_DIR / "locale", BASE_DIR / "locale" / "overrides"]
FORMAT_MODULE_PATH = ["config.formats"]
TIME_ZONE = "Asia/Seoul"
USE_I18N = True
USE_TZ = True
WAGTAILADMIN_PERMITTED_LANGUAGES = LANGUAGES

# WhiteNoise serves collected files in production; with DEBUG on, runserver serves
# them from the app folders and the not-yet-collected STATIC_ROOT is expected.
if DEBUG:
    warnings.filterwarnings("ignore", message="No directory at", category=UserWarning)
STATIC_URL = "/static/"
STATIC_ROOT = VAR_DIR / "static"
STATICFILES_DIRS = [BASE_DIR / "static"]
MEDIA_URL = "/media/"
MEDIA_ROOT = VAR_DIR / "media"
# Files only their owner and staff may have (certificate PDFs): no URL maps to this folder,
# views send them after checking who asks. It must not lie inside MEDIA_ROOT, which the
# proxy serves to anyone.
PRIVATE_MEDIA_ROOT = Path(env_str("PRIVATE_MEDIA_ROOT", str(VAR_DIR / "private")))
if PRIVATE_MEDIA_ROOT.resolve().is_relative_to(MEDIA_ROOT.resolve()):
    raise ImproperlyConfigured("PRIVATE_MEDIA_ROOT must not lie inside the public media folder")
# Behind nginx: the internal location that serves PRIVATE_MEDIA_ROOT (e.g. /private-media/).
# The views then answer with an X-Accel-Redirect header and nginx sends the file.
PRIVATE_MEDIA_ACCEL_REDIRECT = env_str("PRIVATE_MEDIA_ACCEL_REDIRECT")
if PRIVATE_MEDIA_ACCEL_REDIRECT and not PRIVATE_MEDIA_ACCEL_REDIRECT.startswith("/"):
    raise ImproperlyConfigured(
        f"PRIVATE_MEDIA_ACCEL_REDIRECT must be a path starting with /, got {PRIVATE_MEDIA_ACCEL_REDIRECT!r}"
    )
# Backups (manage.py backup / restore) are written here; put it on another disk or mount.
BACKUP_DIR = Path(env_str("BACKUP_DIR", str(VAR_DIR / "backups")))
# The ledger of destroyed personal data that a restore replays (core.ledger). It must live
# with the backups, not in the database they restore.
DESTRUCTION_LEDGER = Path(env_str("DESTRUCTION_LEDGER", str(BACKUP_DIR / "destruction-ledger.jsonl")))
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "private": {
        "BACKEND": "django.core.files.storage.FileSystemStorage",
        "OPTIONS": {"location": PRIVATE_MEDIA_ROOT},
    },
    "staticfiles": {
        "BACKEND": (
            "django.contrib.staticfiles.storage.StaticFilesStorage"
            if DEBUG
            else "whitenoise.storage.CompressedManifestStaticFilesStorage"
        )
    },
}

# Email: files under var/mail/ in development, SMTP in production.
DEFAULT_FROM_EMAIL = env_str("DEFAULT_FROM_EMAIL", "CS RC 채용 <no-reply@localhost>")
SERVER_EMAIL = DEFAULT_FROM_EMAIL
EMAIL_HOST = env_str("EMAIL_HOST")
if EMAIL_HOST:
    EMAIL_BACKEND = "django.core.mail.backends.smtp.EmailBackend"
    EMAIL_PORT = env_int("EMAIL_PORT", 587, minimum=1)
    EMAIL_HOST_USER = env_str("EMAIL_HOST_USER")
    EMAIL_HOST_PASSWORD = env_str("EMAIL_HOST_PASSWORD")
    EMAIL_USE_TLS = env_bool("EMAIL_USE_TLS", True)
else:
    EMAIL_BACKEND = "django.core.mail.backends.filebased.EmailBackend"
    EMAIL_FILE_PATH = VAR_DIR / "mail"

# The notice channel to customers (core.notices): "file" writes each text message under
# VAR_DIR/notices/ (development), "http" posts it as JSON to an SMS/알림톡 gateway.
NOTICE_BACKEND = env_str("NOTICE_BACKEND", "file")
if NOTICE_BACKEND not in ("file", "http"):
    raise ImproperlyConfigured(f"NOTICE_BACKEND must be file or http, got {NOTICE_BACKEND!r}")
NOTICE_FILE_PATH = VAR_DIR / "notices"
NOTICE_HTTP_URL = env_url("NOTICE_HTTP_URL", schemes=("https", "http"))
NOTICE_HTTP_API_KEY = env_str("NOTICE_HTTP_API_KEY")
# Seconds to wait for the gateway: a notice task sends 20 messages within the worker's 120 s timeout.
NOTICE_HTTP_TIMEOUT = env_int("NOTICE_HTTP_TIMEOUT", 5, minimum=1)
if NOTICE_BACKEND == "http" and not NOTICE_HTTP_URL:
    raise ImproperlyConfigured("NOTICE_HTTP_URL must be set when NOTICE_BACKEND is http")

WAGTAIL_SITE_NAME = "CS RC 채용"
WAGTAILADMIN_BASE_URL = SITE_URL
# No Gravatar: staff email hashes would go to a third party, and the admin works offline.
WAGTAIL_GRAVATAR_PROVIDER_URL = None
WAGTAILSEARCH_BACKENDS = {"default": {"BACKEND": "wagtail.search.backends.database"}}
WAGTAILDOCS_EXTENSIONS = ["pdf", "docx", "xlsx", "pptx", "hwp", "txt"]

# Content-Security-Policy (django-csp): our own files only, no plugins, no framing by
# other sites. core.middleware adds inline script and style under /admin/, which
# Wagtail's templates need; the public site needs neither.
CONTENT_SECURITY_POLICY = {
    "DIRECTIVES": {
        "default-src": [SELF],
        "script-src": [SELF],
        "style-src": [SELF],
        "img-src": [SELF, "data:"],
        "font-src": [SELF],
        "connect-src": [SELF],
        "frame-src": [SELF],
        "frame-ancestors": [SELF],
        "form-action": [SELF],
        "base-uri": [SELF],
        "object-src": [NONE],
    }
}
# The admin's update check would call releases.wagtail.org from staff browsers, which the
# policy forbids; upgrades follow requirements.txt anyway.
WAGTAIL_ENABLE_UPDATE_CHECK = False

# Behind a TLS-terminating proxy in production.
if not DEBUG:
    SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
    SECURE_SSL_REDIRECT = env_bool("SECURE_SSL_REDIRECT", True)
    SESSION_COOKIE_SECURE = True
    CSRF_COOKIE_SECURE = True
    SECURE_HSTS_SECONDS = env_int("SECURE_HSTS_SECONDS", 31536000, minimum=0)
    SECURE_HSTS_INCLUDE_SUBDOMAINS = True
    SECURE_HSTS_PRELOAD = True
    SECURE_CONTENT_TYPE_NOSNIFF = True
    SECURE_REFERRER_POLICY = "same-origin"

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "formatters": {"plain": {"format": "%(asctime)s %(levelname)s %(name)s %(message)s"}},
    "handlers": {"console": {"class": "logging.StreamHandler", "formatter": "plain"}},
    "root": {"handlers": ["console"], "level": env_str("LOG_LEVEL", "INFO")},
    # Wagtail runs its search-index and reference-index updates as tasks that log
    # two lines per page save; only their failures are worth a line.
    "loggers": {"django_tasks": {"level": "WARNING"}},
}
