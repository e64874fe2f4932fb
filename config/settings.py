"""Settings, all from environment variables; docs/configuration.md lists every one."""

from __future__ import annotations

import os
import re
import secrets
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

import dj_database_url
import django_stubs_ext
from csp.constants import NONE, SELF
from django.core.exceptions import ImproperlyConfigured

django_stubs_ext.monkeypatch()  # lets generic admin and queryset classes be subscripted at run time

BASE_DIR = Path(__file__).resolve().parent.parent


def env_str(name: str, default: str = "") -> str:
    return os.environ.get(name, default)


def env_bool(name: str, default: bool = False) -> bool:
    raw = os.environ.get(name)
    if raw is None or raw == "":
        return default
    value = raw.strip().lower()
    if value in {"1", "true", "yes", "on"}:
        return True
    if value in {"0", "false", "no", "off"}:
        return False
    raise ImproperlyConfigured(f"{name}={raw!r} is not a boolean: use true/false, 1/0, yes/no or on/off.")


def env_int(name: str, default: int, *, minimum: int = 0) -> int:
    raw = os.environ.get(name)
    if raw is None or raw == "":
        return default
    try:
        value = int(raw)
    except ValueError:
        raise ImproperlyConfigured(f"{name}={raw!r} is not a whole number.") from None
    if value < minimum:
        raise ImproperlyConfigured(f"{name}={raw!r} must be at least {minimum}.")
    return value


def env_list(name: str, default: list[str]) -> list[str]:
    raw = os.environ.get(name)
    if raw is None or raw.strip() == "":
        return default
    return [item.strip() for item in raw.split(",") if item.strip()]


def env_http_header(name: str) -> str:
    """An HTTP header named in the variable, as request.META spells it (X-Forwarded-For -> HTTP_X_FORWARDED_FOR)."""
    raw = os.environ.get(name, "").strip()
    if raw == "":
        return ""
    if not re.fullmatch(r"[A-Za-z0-9_-]+", raw):
        raise ImproperlyConfigured(f"{name}={raw!r} is not an HTTP header name such as X-Forwarded-For.")
    key = raw.upper().replace("-", "_")
    return key if key.startswith("HTTP_") else f"HTTP_{key}"


def env_header(name: str) -> tuple[str, str] | None:
    """A request header and the value that marks it, written `Header-Name: value`, as Django's META sees it."""
    raw = os.environ.get(name, "").strip()
    if not raw:
        return None
    header, _, value = raw.partition(":")
    header, value = header.strip(), value.strip()
    if not header or not value or not all(part.isalnum() for part in header.split("-")):
        raise ImproperlyConfigured(f"{name}={raw!r} is not a header and a value, e.g. 'X-Forwarded-Proto: https'.")
    return "HTTP_" + header.upper().replace("-", "_"), value


def env_choice(name: str, choices: tuple[str, ...], default: str = "") -> str:
    raw = os.environ.get(name, "").strip()
    if raw == "":
        return default
    if raw not in choices:
        raise ImproperlyConfigured(f"{name}={raw!r} is not one of {', '.join(choices)}.")
    return raw


def env_http_url(name: str) -> str:
    """An http(s) URL with a host, or empty."""
    raw = os.environ.get(name, "").strip()
    if raw == "":
        return ""
    parsed = urlsplit(raw)
    if parsed.scheme not in {"http", "https"} or not parsed.hostname or parsed.query or parsed.fragment:
        raise ImproperlyConfigured(
            f"{name}={raw!r} is not an http:// or https:// address such as https://s3.example.cn."
        )
    return raw.rstrip("/")


def env_s3_bucket(name: str) -> str:
    """An S3 bucket name (3-63 lower-case letters, digits, dots and hyphens), or empty."""
    raw = os.environ.get(name, "").strip()
    if raw and not re.fullmatch(r"[a-z0-9][a-z0-9.-]{1,61}[a-z0-9]", raw):
        raise ImproperlyConfigured(
            f"{name}={raw!r} is not a bucket name: 3 to 63 lower-case letters, digits, dots and hyphens."
        )
    return raw


def env_key_prefix(name: str) -> str:
    """A key prefix inside a bucket, written `a/b` (slashes at either end are dropped), or empty."""
    raw = os.environ.get(name, "").strip().strip("/")
    segments = raw.split("/") if raw else []
    if any(not re.fullmatch(r"[A-Za-z0-9._-]+", part) or part in {".", ".."} for part in segments):
        raise ImproperlyConfigured(
            f"{name}={raw!r} is not a key prefix: folders of letters, digits, '.', '_' and '-' separated by '/'."
        )
    return raw


def _persisted_secret_key(path: Path) -> str:
    """Read the generated secret key, creating it on first start so sessions survive restarts."""
    if not path.exists():
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(secrets.token_urlsafe(50), encoding="utf-8")
        path.chmod(0o600)
    return path.read_text(encoding="utf-8").strip()


VAR_DIR = Path(env_str("VAR_DIR", str(BASE_DIR / "var")))
VAR_DIR.mkdir(parents=True, exist_ok=True)

DEBUG = env_bool("DEBUG", False)
SECRET_KEY = env_str("SECRET_KEY")
if not SECRET_KEY and env_str("S3_BUCKET"):
    # Shared storage means several machines, and each would generate a key of its own into its VAR_DIR: a session
    # started on one would be refused by the next (docs/deployment.md, "Several machines").
    raise ImproperlyConfigured("S3_BUCKET is set, so SECRET_KEY must be too: the same value on every machine.")
SECRET_KEY = SECRET_KEY or _persisted_secret_key(VAR_DIR / "secret_key")
LOOPBACK_HOSTS = ["127.0.0.1", "localhost", "[::1]"]
ALLOWED_HOSTS = env_list("ALLOWED_HOSTS", LOOPBACK_HOSTS)
CSRF_TRUSTED_ORIGINS = env_list("CSRF_TRUSTED_ORIGINS", [])

INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
    "rest_framework",
    "rest_framework_api_key",
    "django_filters",
    "drf_spectacular",
    "drf_spectacular_sidecar",  # Swagger UI's files, served from /static/ (no CDN)
    "csp",
    "django_htmx",
    "axes",
    "assessment",
    "scoring",
    "reports",
    "webhooks",
    "review",
    "programmes",
    "offerings",
    "api",
    "web",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "csp.middleware.CSPMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.locale.LocaleMiddleware",
    "api.middleware.QueryLanguageMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "django_htmx.middleware.HtmxMiddleware",
    "axes.middleware.AxesMiddleware",  # last: it turns a lock-out into the lock-out page
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
            ],
        },
    },
]

# Database: SQLite under var/ unless DATABASE_URL names another (PostgreSQL in production).
DATABASE_URL = env_str("DATABASE_URL", f"sqlite:///{VAR_DIR / 'db.sqlite3'}")
try:
    DATABASES: dict[str, Any] = {
        "default": dj_database_url.parse(DATABASE_URL, conn_max_age=env_int("DB_CONN_MAX_AGE", 60))
    }
except ValueError as exc:
    raise ImproperlyConfigured(f"DATABASE_URL is not a database URL: {exc}") from None
if DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":
    # Several processes (web, worker) share the file: wait for locks instead of failing at once.
    DATABASES["default"]["OPTIONS"] = {"timeout": 20, "transaction_mode": "IMMEDIATE"}
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

AUTH_USER_MODEL = "assessment.User"
# django-axes counts failed log-ins (the site's and the admin's) under one identity per account, whatever the
# letter case (web/accounts/lockout.py). It locks an account out at one client address after AXES_FAILURE_LIMIT
# failures there, and at every address after AXES_ACCOUNT_FAILURE_LIMIT failures from all addresses together,
# each address counting at most AXES_FAILURE_LIMIT: one address alone never locks the owner out elsewhere.
AUTHENTICATION_BACKENDS = ["axes.backends.AxesStandaloneBackend", "django.contrib.auth.backends.ModelBackend"]
AXES_HANDLER = "web.accounts.lockout.AccountLockoutHandler"
AXES_FAILURE_LIMIT = env_int("AXES_FAILURE_LIMIT", 5, minimum=1)
AXES_ACCOUNT_FAILURE_LIMIT = env_int("AXES_ACCOUNT_FAILURE_LIMIT", 4 * AXES_FAILURE_LIMIT, minimum=AXES_FAILURE_LIMIT)
AXES_COOLOFF_TIME = env_int("AXES_COOLOFF_MINUTES", 15, minimum=1) / 60  # hours
AXES_LOCKOUT_PARAMETERS = [["username", "ip_address"]]
AXES_USERNAME_FORM_FIELD = "username"
AXES_USERNAME_CALLABLE = "web.accounts.lockout.failed_login_identity"
AXES_CLIENT_IP_CALLABLE = "api.client_address.client_address"
AXES_RESET_ON_SUCCESS = True
AXES_VERBOSE = False
AXES_LOCKOUT_CALLABLE = "web.accounts.views.lockout"  # a page saying when to try again, status 429
LOGIN_URL = "web:login"
LOGIN_REDIRECT_URL = "web:home"
LOGOUT_REDIRECT_URL = "web:login"
# Password-reset and invitation mails: printed to the console unless an SMTP server is configured.
EMAIL_BACKEND = env_str("EMAIL_BACKEND", "django.core.mail.backends.console.EmailBackend")
EMAIL_HOST = env_str("EMAIL_HOST", "localhost")
EMAIL_PORT = env_int("EMAIL_PORT", 25)
EMAIL_HOST_USER = env_str("EMAIL_HOST_USER")
EMAIL_HOST_PASSWORD = env_str("EMAIL_HOST_PASSWORD")
EMAIL_USE_TLS = env_bool("EMAIL_USE_TLS")
DEFAULT_FROM_EMAIL = env_str("DEFAULT_FROM_EMAIL", "noreply@localhost")
EMAIL_TIMEOUT = env_int("EMAIL_TIMEOUT", 10, minimum=1)  # seconds; a hung mail server must not hold a worker
# Review notifications (review/notifications.py): the address links in e-mails point to, and how often
# an unsent e-mail is tried before it is left (its last error stays on the row, in the admin).
SITE_URL = env_str("SITE_URL", "http://127.0.0.1:8000")
NOTIFICATION_MAX_ATTEMPTS = env_int("NOTIFICATION_MAX_ATTEMPTS", 5, minimum=1)
INVITATION_EXPIRY_DAYS = env_int("INVITATION_EXPIRY_DAYS", 14, minimum=1)
# Programme invitations (programmes.services): how long an SME has to answer, and how many companies one bulk
# file may invite (larger files are refused whole: split them).
PROGRAMME_INVITATION_EXPIRY_DAYS = env_int("PROGRAMME_INVITATION_EXPIRY_DAYS", 30, minimum=1)
PROGRAMME_INVITATIONS_MAX_ROWS = env_int("PROGRAMME_INVITATIONS_MAX_ROWS", 2000, minimum=1)
# Requests per hour before sign-up, password reset and invitations answer 429 (web/rate_limits.py, on the cache).
SIGNUP_LIMIT_PER_ADDRESS = env_int("SIGNUP_LIMIT_PER_ADDRESS", 10, minimum=1)
PASSWORD_RESET_LIMIT_PER_ADDRESS = env_int("PASSWORD_RESET_LIMIT_PER_ADDRESS", 5, minimum=1)
PASSWORD_RESET_LIMIT_PER_EMAIL = env_int("PASSWORD_RESET_LIMIT_PER_EMAIL", 3, minimum=1)
INVITATION_LIMIT_PER_OWNER = env_int("INVITATION_LIMIT_PER_OWNER", 30, minimum=1)
INVITATION_LIMIT_PER_ADDRESS = env_int("INVITATION_LIMIT_PER_ADDRESS", 60, minimum=1)
# Public report checks (/verify/<code>/) per client address per hour: codes cannot be guessed, this slows trying.
VERIFY_LIMIT_PER_ADDRESS = env_int("VERIFY_LIMIT_PER_ADDRESS", 60, minimum=1)
# The client's address for lock-outs and rate limits: REMOTE_ADDR, unless the reverse proxy in front names it in
# a header (docs/deployment.md). Only a header the proxy itself sets may be trusted: a client can send any other.
TRUSTED_PROXY_HEADER = env_http_header("TRUSTED_PROXY_HEADER")  # request.META's key, e.g. HTTP_X_FORWARDED_FOR
TRUSTED_PROXY_COUNT = env_int("TRUSTED_PROXY_COUNT", 1, minimum=1)
AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator"},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]

# Redis: one URL for cache and broker; CELERY_BROKER_URL overrides the broker alone. Losing it must not
# stop anyone answering (docs/deployment.md, "Without Redis"): the cache answers "nothing cached" and
# logs the error, throttles then let requests through, and work for the broker waits in PostgreSQL.
REDIS_URL = env_str("REDIS_URL")
REDIS_TIMEOUT_SECONDS = 0.5  # a Redis that does not answer this fast counts as down for that call
# Every cache key starts with this: deployments with different databases can share one Redis (docs/configuration.md).
CACHE_KEY_PREFIX = env_str("CACHE_KEY_PREFIX")
if not re.fullmatch(r"[A-Za-z0-9_.-]*", CACHE_KEY_PREFIX):
    raise ImproperlyConfigured(
        f"CACHE_KEY_PREFIX={CACHE_KEY_PREFIX!r} may hold letters, digits, '_', '.' and '-' only."
    )
if REDIS_URL:
    CACHES: dict[str, Any] = {
        "default": {
            "BACKEND": "django_redis.cache.RedisCache",
            "LOCATION": REDIS_URL,
            "OPTIONS": {
                "IGNORE_EXCEPTIONS": True,
                "SOCKET_CONNECT_TIMEOUT": REDIS_TIMEOUT_SECONDS,
                "SOCKET_TIMEOUT": REDIS_TIMEOUT_SECONDS,
            },
            "KEY_PREFIX": CACHE_KEY_PREFIX,
        }
    }
    DJANGO_REDIS_LOG_IGNORED_EXCEPTIONS = True
    DJANGO_REDIS_LOGGER = "config.cache"
else:
    CACHES = {"default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache", "KEY_PREFIX": CACHE_KEY_PREFIX}}

# Without Redis, Celery uses kombu's filesystem transport under var/broker: a real queue on disk
# that a real worker process consumes, no broker server needed.
BROKER_DIR = VAR_DIR / "broker"
CELERY_BROKER_URL = env_str("CELERY_BROKER_URL", REDIS_URL or "filesystem://")
if CELERY_BROKER_URL.startswith("filesystem://"):
    for folder in ("queue", "processed", "control"):
        (BROKER_DIR / folder).mkdir(parents=True, exist_ok=True)
    CELERY_BROKER_TRANSPORT_OPTIONS: dict[str, Any] = {
        "data_folder_in": str(BROKER_DIR / "queue"),
        "data_folder_out": str(BROKER_DIR / "queue"),
        "processed_folder": str(BROKER_DIR / "processed"),
        "control_folder": str(BROKER_DIR / "control"),
        "store_processed": False,
    }
else:
    # The visibility timeout is above the longest retry delay (an hour): a waiting message is not handed
    # out twice.
    CELERY_BROKER_TRANSPORT_OPTIONS = {
        "visibility_timeout": 2 * 3600,
        "socket_connect_timeout": REDIS_TIMEOUT_SECONDS * 2,
        "socket_timeout": REDIS_TIMEOUT_SECONDS * 2,
    }
CELERY_TASK_IGNORE_RESULT = True
CELERY_BROKER_CONNECTION_RETRY_ON_STARTUP = True
# A worker or beat that loses the broker keeps reconnecting until it is back (the default gives up after
# 100 tries); a request that cannot hand over a message gives up quickly, and the job row's sweeper
# sends it once the broker answers again.
CELERY_BROKER_CONNECTION_MAX_RETRIES = None
CELERY_BROKER_CONNECTION_TIMEOUT = 1
CELERY_TASK_PUBLISH_RETRY_POLICY = {"max_retries": 1, "interval_start": 0, "interval_step": 0.2, "interval_max": 0.2}
SWEEP_INTERVAL_SECONDS = env_int("SWEEP_INTERVAL_SECONDS", 60, minimum=1)
# Peer distributions are kept current in the cache as results arrive; this rebuild repairs what was lost.
PEER_REBUILD_SECONDS = env_int("PEER_REBUILD_SECONDS", 900, minimum=10)
# A rescore chunk still running this long after it was claimed is taken to be lost (its worker died).
RESCORE_CHUNK_LEASE_SECONDS = env_int("RESCORE_CHUNK_LEASE_SECONDS", 600, minimum=10)
CELERY_TASK_ACKS_LATE = True
CELERY_WORKER_PREFETCH_MULTIPLIER = 1
CELERY_TASK_ROUTES = {"reports.tasks.report_render_task": {"queue": "reports"}}
# WeasyPrint keeps a whole document in memory; recycled children give it back (pitfalls.md).
CELERY_WORKER_MAX_TASKS_PER_CHILD = env_int("CELERY_WORKER_MAX_TASKS_PER_CHILD", 50, minimum=1)
REPORT_RENDER_TIMEOUT_SECONDS = env_int("REPORT_RENDER_TIMEOUT_SECONDS", 300, minimum=10)
REPORT_MAX_ATTEMPTS = env_int("REPORT_MAX_ATTEMPTS", 3, minimum=1)
CELERY_TASK_SOFT_TIME_LIMIT = REPORT_RENDER_TIMEOUT_SECONDS - 5
CELERY_TASK_TIME_LIMIT = REPORT_RENDER_TIMEOUT_SECONDS
CELERY_BEAT_SCHEDULE = {
    "webhook-deliveries-sweep": {"task": "webhooks.tasks.webhook_deliveries_sweep_task", "schedule": 300.0},
    "idempotency-records-purge": {"task": "api.tasks.idempotency_records_purge_task", "schedule": 3600.0},
    "reports-sweep": {"task": "reports.tasks.reports_sweep_task", "schedule": float(SWEEP_INTERVAL_SECONDS)},
    "results-sweep": {"task": "scoring.tasks.results_sweep_task", "schedule": float(SWEEP_INTERVAL_SECONDS)},
    "peer-distributions-rebuild": {
        "task": "scoring.tasks.peer_distributions_rebuild_all_task",
        "schedule": float(PEER_REBUILD_SECONDS),
    },
    "rescore-sweep": {"task": "scoring.tasks.rescore_chunks_sweep_task", "schedule": float(SWEEP_INTERVAL_SECONDS)},
    "notifications-sweep": {
        "task": "review.tasks.notifications_sweep_task",
        "schedule": float(SWEEP_INTERVAL_SECONDS),
    },
    "cohort-sweep": {"task": "programmes.tasks.cohort_sweep_task", "schedule": float(SWEEP_INTERVAL_SECONDS)},
    "cohort-exports-sweep": {
        "task": "programmes.tasks.cohort_exports_sweep_task",
        "schedule": float(SWEEP_INTERVAL_SECONDS),
    },
    "referral-mails-sweep": {
        "task": "offerings.tasks.referrals_notify_sweep_task",
        "schedule": float(SWEEP_INTERVAL_SECONDS),
    },
}
# Cohort exports (docs/cohort-analytics.md): up to this many rows a CSV or XLSX is made in the request and sent
# at once; above it a Celery job writes the file and the page shows its progress.
COHORT_EXPORT_STREAM_MAX_ROWS = env_int("COHORT_EXPORT_STREAM_MAX_ROWS", 2000, minimum=0)

# Peer benchmarks (scoring/peers.py, docs/peers.md): who counts, and how finely scores are compared.
PEER_MIN_AGE_DAYS = env_int("PEER_MIN_AGE_DAYS", 30)
PEER_RESOLUTION_PERCENT = env_int("PEER_RESOLUTION_PERCENT", 5, minimum=1)
if 100 % PEER_RESOLUTION_PERCENT:
    raise ImproperlyConfigured("PEER_RESOLUTION_PERCENT must divide 100 (1, 2, 4, 5, 10, 20, 25 or 50).")
PEER_MIN_ORGANIZATIONS = env_int("PEER_MIN_ORGANIZATIONS", 5, minimum=5)
PEER_MIN_FOR_QUARTILES = env_int("PEER_MIN_FOR_QUARTILES", 10, minimum=PEER_MIN_ORGANIZATIONS)

LANGUAGE_CODE = "zh-hans"
LANGUAGES = [("zh-hans", "简体中文"), ("en", "English")]
TIME_ZONE = env_str("TIME_ZONE", "Asia/Shanghai")
USE_I18N = True
USE_TZ = True
LOCALE_PATHS = [BASE_DIR / "locale"]

STATIC_URL = "static/"
STATIC_ROOT = VAR_DIR / "static"
STATIC_ROOT.mkdir(exist_ok=True)  # WhiteNoise warns at start-up when it is missing
MEDIA_URL = "media/"
MEDIA_ROOT = Path(env_str("MEDIA_ROOT", str(VAR_DIR / "media")))
STORAGES: dict[str, dict[str, Any]] = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {"BACKEND": "whitenoise.storage.CompressedStaticFilesStorage"},
}
# Reports, evidence documents and exports in an S3-compatible bucket instead of MEDIA_ROOT (docs/deployment.md,
# "Several machines"): every web process and worker then reads the same files. The objects stay private: no ACL
# that grants anyone else, and downloads stream through the views that check who may see them.
S3_BUCKET = env_s3_bucket("S3_BUCKET")
S3_ENDPOINT_URL = env_http_url("S3_ENDPOINT_URL")  # empty: AWS itself
S3_REGION = env_str("S3_REGION").strip()
if S3_REGION and not re.fullmatch(r"[a-z0-9-]+", S3_REGION):
    raise ImproperlyConfigured(f"S3_REGION={S3_REGION!r} is not a region name such as cn-north-1.")
S3_ACCESS_KEY_ID = env_str("S3_ACCESS_KEY_ID").strip()
S3_SECRET_ACCESS_KEY = env_str("S3_SECRET_ACCESS_KEY").strip()
if bool(S3_ACCESS_KEY_ID) != bool(S3_SECRET_ACCESS_KEY):
    raise ImproperlyConfigured("S3_ACCESS_KEY_ID and S3_SECRET_ACCESS_KEY go together: set both, or neither.")
S3_PREFIX = env_key_prefix("S3_PREFIX")
# No ACL by default: the object is the bucket owner's alone, and AWS buckets with ACLs disabled (their default)
# refuse any other. `private` for stores whose objects otherwise inherit the bucket's ACL (Aliyun OSS).
S3_OBJECT_ACL = env_choice("S3_OBJECT_ACL", ("private", "bucket-owner-full-control"))
S3_ADDRESSING_STYLE = env_choice("S3_ADDRESSING_STYLE", ("auto", "path", "virtual"), "auto")
_s3_settings = {
    "S3_ENDPOINT_URL": S3_ENDPOINT_URL,
    "S3_REGION": S3_REGION,
    "S3_ACCESS_KEY_ID": S3_ACCESS_KEY_ID,
    "S3_PREFIX": S3_PREFIX,
    "S3_OBJECT_ACL": S3_OBJECT_ACL,
}
if not S3_BUCKET and any(_s3_settings.values()):
    _named = ", ".join(name for name, value in _s3_settings.items() if value)
    raise ImproperlyConfigured(f"{_named} set without S3_BUCKET: name the bucket too, or files stay in MEDIA_ROOT.")
if S3_BUCKET:
    STORAGES["default"] = {
        "BACKEND": "config.storage.PrivateS3Storage",
        "OPTIONS": {
            "bucket_name": S3_BUCKET,
            "endpoint_url": S3_ENDPOINT_URL or None,
            "region_name": S3_REGION or None,
            "access_key": S3_ACCESS_KEY_ID or None,  # None: boto3's own chain (AWS_* variables, instance role)
            "secret_key": S3_SECRET_ACCESS_KEY or None,
            "location": S3_PREFIX,
            "default_acl": S3_OBJECT_ACL or None,
            "file_overwrite": False,  # a second file of the same name gets its own key, as on a disk
            "addressing_style": None if S3_ADDRESSING_STYLE == "auto" else S3_ADDRESSING_STYLE,
            "querystring_auth": True,  # the service never hands out object URLs; should one be made, it is signed
            "querystring_expire": 60,
            "max_memory_size": 1_048_576,  # a larger file read whole (not a download) spills to a temp file
        },
    }

FRAMEWORKS_DIR = BASE_DIR / "frameworks"

# Evidence documents (docs/evidence.md): the largest file, all files of one assessment together, and how many.
EVIDENCE_MAX_FILE_BYTES = env_int("EVIDENCE_MAX_FILE_BYTES", 20 * 1_048_576, minimum=1024)
EVIDENCE_MAX_ASSESSMENT_BYTES = env_int(
    "EVIDENCE_MAX_ASSESSMENT_BYTES", 200 * 1_048_576, minimum=EVIDENCE_MAX_FILE_BYTES
)
EVIDENCE_MAX_FILES = env_int("EVIDENCE_MAX_FILES", 100, minimum=1)

# The API (docs/api.md). API keys first: their WWW-Authenticate header makes a missing key a 401.
REST_FRAMEWORK = {
    "DEFAULT_AUTHENTICATION_CLASSES": [
        "api.authentication.ApiKeyAuthentication",
        "rest_framework.authentication.SessionAuthentication",
    ],
    "DEFAULT_PERMISSION_CLASSES": ["rest_framework.permissions.IsAuthenticated", "api.permissions.KeyScope"],
    "DEFAULT_RENDERER_CLASSES": ["api.renderers.ExactJSONRenderer"],
    "DEFAULT_PARSER_CLASSES": ["api.parsers.JSONParser"],
    "DEFAULT_SCHEMA_CLASS": "api.schema.ApiSchema",
    "EXCEPTION_HANDLER": "api.errors.api_exception_handler",
    "DEFAULT_THROTTLE_CLASSES": ["api.throttling.CallerRateThrottle", "api.throttling.AddressRateThrottle"],
    "DEFAULT_THROTTLE_RATES": {
        "caller": env_str("API_THROTTLE_RATE", "1200/min"),
        "anon": env_str("API_ANON_THROTTLE_RATE", "60/min"),
    },
    "COERCE_DECIMAL_TO_STRING": False,
    "TEST_REQUEST_DEFAULT_FORMAT": "json",
}
# The largest JSON body the API reads (api/parsers.py); a larger one is 413. All of MIIT's answers take under 2 kB
# (tests/fixtures/answers), so 1 MiB leaves room for long texts and comments.
API_MAX_BODY_BYTES = env_int("API_MAX_BODY_BYTES", 1_048_576, minimum=1024)
SPECTACULAR_SETTINGS = {
    "TITLE": "SME digital maturity API",
    "DESCRIPTION": "Assess the digital-transformation maturity of SMEs against published index systems "
    "(MIIT 中小企业数字化水平评测指标 2024, EU DMA). Walk-through and error codes: docs/api.md.",
    "VERSION": "1.0.0",
    "SERVE_INCLUDE_SCHEMA": False,
    "SERVE_PERMISSIONS": ["rest_framework.permissions.AllowAny"],  # the schema and docs are public
    "SCHEMA_PATH_PREFIX": "/api/v1",
    "COMPONENT_SPLIT_REQUEST": True,
    # Swagger UI (and ReDoc, should a page use it) from drf-spectacular-sidecar's static files, not a CDN.
    "SWAGGER_UI_DIST": "SIDECAR",
    "SWAGGER_UI_FAVICON_HREF": "SIDECAR",
    "REDOC_DIST": "SIDECAR",
    "ENUM_NAME_OVERRIDES": {
        "AssessmentStatus": "assessment.models.Assessment.Status",
        "WebhookEvent": "webhooks.models.Event",
        "VerdictEnum": "review.models.ReviewItem.Verdict",
        # A verdict's body, one shape per verdict (api.serializers.VERDICT_REQUEST): each allows its verdict alone.
        "VerifiedVerdictEnum": ["verified"],
        "AdjustedVerdictEnum": ["adjusted"],
        "ChangeRequestedVerdictEnum": ["change_requested"],
        "UnverifiableVerdictEnum": ["unverifiable"],
        # One name each for the classification's lists, wherever a body or a filter uses them (offerings too).
        "ProvinceEnum": "assessment.classification.PROVINCES",
        "SectorEnum": "assessment.classification.SECTORS",
        "SizeBandEnum": "assessment.classification.SizeBand",
    },
}

# Webhooks (docs/api.md): HTTPS to public addresses only, unless these allow otherwise (tests, local receivers).
WEBHOOKS_ALLOW_HTTP = env_bool("WEBHOOKS_ALLOW_HTTP", False)
WEBHOOKS_ALLOW_PRIVATE_NETWORKS = env_bool("WEBHOOKS_ALLOW_PRIVATE_NETWORKS", False)
WEBHOOK_MAX_ATTEMPTS = env_int("WEBHOOK_MAX_ATTEMPTS", 8, minimum=1)
WEBHOOK_RETRY_BASE_SECONDS = env_int("WEBHOOK_RETRY_BASE_SECONDS", 30, minimum=0)
WEBHOOK_TIMEOUT_SECONDS = env_int("WEBHOOK_TIMEOUT_SECONDS", 10, minimum=1)

# HTTPS and security headers (docs/deployment.md, "Security headers"). With DEBUG off the site is taken to be
# served over HTTPS, directly or behind a TLS proxy: cookies are Secure and HSTS is sent. INSECURE_LOCAL_HTTP is
# the way out for `make run`, plain HTTP on this machine (scripts/run.sh sets it for a loopback address): not every
# client keeps Secure cookies from http://127.0.0.1 (curl and Python's requests drop them), and log-in then fails.
INSECURE_LOCAL_HTTP = env_bool("INSECURE_LOCAL_HTTP", False)
if INSECURE_LOCAL_HTTP and set(ALLOWED_HOSTS) - set(LOOPBACK_HOSTS):
    raise ImproperlyConfigured(
        f"INSECURE_LOCAL_HTTP=true sends the session cookie over plain HTTP, so it is for {', '.join(LOOPBACK_HOSTS)} "
        f"only, but ALLOWED_HOSTS also has {', '.join(sorted(set(ALLOWED_HOSTS) - set(LOOPBACK_HOSTS)))}."
    )
SERVED_OVER_HTTPS = not DEBUG and not INSECURE_LOCAL_HTTP
SESSION_COOKIE_SECURE = env_bool("SECURE_COOKIES", SERVED_OVER_HTTPS)
CSRF_COOKIE_SECURE = SESSION_COOKIE_SECURE
LANGUAGE_COOKIE_SECURE = SESSION_COOKIE_SECURE
# SecurityMiddleware sends HSTS on HTTPS responses only. A year, the usual value; subdomains and preloading are
# the operator's decision (other sites may live under the same domain), so they stay off unless asked for.
SECURE_HSTS_SECONDS = env_int("SECURE_HSTS_SECONDS", 31_536_000 if SERVED_OVER_HTTPS else 0)
SECURE_HSTS_INCLUDE_SUBDOMAINS = env_bool("SECURE_HSTS_INCLUDE_SUBDOMAINS", False)
SECURE_HSTS_PRELOAD = env_bool("SECURE_HSTS_PRELOAD", False)
# Only behind a proxy that always sets (or strips) this header: trusting it otherwise lets a client claim HTTPS.
SECURE_PROXY_SSL_HEADER = env_header("SECURE_PROXY_SSL_HEADER")
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "same-origin"
X_FRAME_OPTIONS = "DENY"

# Content-Security-Policy (django-csp): every script and style is a file under /static/, so no inline script,
# event handler, <style> element or style attribute runs. The charts are inline SVG drawn with presentation
# attributes (fill, font-size), which CSP does not treat as styles. The API docs page adds `data:` images for
# Swagger UI's icons (api/views/docs.py), nothing else.
CONTENT_SECURITY_POLICY = {
    "DIRECTIVES": {
        "default-src": [SELF],
        "script-src": [SELF],
        "style-src": [SELF],
        "img-src": [SELF],
        "object-src": [NONE],
        "base-uri": [NONE],
        "form-action": [SELF],
        "frame-ancestors": [NONE],
    },
}

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "filters": {
        "permission_denied_without_traceback": {"()": "config.logging_filters.PermissionDeniedWithoutTraceback"}
    },
    "handlers": {"console": {"class": "logging.StreamHandler"}},
    "root": {"handlers": ["console"], "level": env_str("LOG_LEVEL", "INFO")},
    "loggers": {
        "weasyprint.progress": {"level": "WARNING"},  # one line per rendering step otherwise
        # "Forbidden (Permission denied): /path" stays a warning; the traceback Django attaches goes.
        "django.request": {"filters": ["permission_denied_without_traceback"]},
    },
}
