"""One settings module, driven by environment variables.

Embedded mode (the default): SQLite, an in-process cache and channel layer, and a Celery broker kept
in files under ARGUS_DATA_DIR, so nothing but the package and Chromium has to be installed.
Distributed mode: set DATABASE_URL and REDIS_URL and every piece moves to PostgreSQL and Redis.
"""

from __future__ import annotations

import json
import os
import secrets
from datetime import timedelta
from pathlib import Path

import dj_database_url

BASE_DIR = Path(__file__).resolve().parent.parent


def env(name: str, default: str = "") -> str:
    return os.environ.get(name, default)


def env_bool(name: str, default: bool = False) -> bool:
    value = os.environ.get(name)
    if value is None:
        return default
    return value.strip().lower() in {"1", "true", "yes", "on"}


def env_int(name: str, default: int) -> int:
    value = os.environ.get(name)
    return int(value) if value not in (None, "") else default


def env_float(name: str, default: float) -> float:
    value = os.environ.get(name)
    return float(value) if value not in (None, "") else default


DATA_DIR = Path(env("ARGUS_DATA_DIR", str(BASE_DIR / "var"))).resolve()
DATA_DIR.mkdir(parents=True, exist_ok=True)


def _persistent_secret_key() -> str:
    """A key generated once per data directory, so sessions and signed values survive restarts."""
    path = DATA_DIR / "secret_key"
    if not path.exists():
        path.write_text(secrets.token_urlsafe(50))
        path.chmod(0o600)
    return path.read_text().strip()


SECRET_KEY = env("ARGUS_SECRET_KEY") or _persistent_secret_key()
DEBUG = env_bool("ARGUS_DEBUG", False)
ALLOWED_HOSTS = [h.strip() for h in env("ARGUS_ALLOWED_HOSTS", "127.0.0.1,localhost,testserver").split(",")]
CSRF_TRUSTED_ORIGINS = [o for o in env("ARGUS_CSRF_TRUSTED_ORIGINS", "").split(",") if o]
PUBLIC_URL = env("ARGUS_PUBLIC_URL", "http://127.0.0.1:8000").rstrip("/")

INSTALLED_APPS = [
    "daphne",
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
    "rest_framework",
    "drf_spectacular",
    "channels",
    "argus",
    "accounts",
    "organizations",
    "organizations.billing",
    "apikeys",
    "projects",
    "notifications",
    "testruns",
]

MIDDLEWARE = [
    # Outermost, so X-RateLimit-* reaches every /api/ response, whichever layer produced it.
    "argus.ratelimit.http.RateLimitMiddleware",
    "django.middleware.security.SecurityMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
]

ROOT_URLCONF = "argus.urls"
APPEND_SLASH = False

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [BASE_DIR / "templates"],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
            ],
        },
    },
]

WSGI_APPLICATION = None
ASGI_APPLICATION = "argus.asgi.application"

# --- Database -------------------------------------------------------------------------------------
DATABASE_URL = env("DATABASE_URL")
if DATABASE_URL:
    # Connections persist between requests: argus.asgi_handler runs requests on at most
    # ARGUS_ASGI_THREADS reused threads per process (Django's stock ASGI handler made a thread per
    # request, so a persistent connection was never reused and one loaded Daphne held ~100 of them).
    # ARGUS_DB_POOL_SIZE > 0 lends them from a psycopg pool per process instead.
    DATABASES = {"default": dj_database_url.parse(DATABASE_URL, conn_max_age=env_int("ARGUS_DB_CONN_MAX_AGE", 60))}
    if env_int("ARGUS_DB_POOL_SIZE", 0) > 0:
        DATABASES["default"]["CONN_MAX_AGE"] = 0  # Django refuses a pool with persistent connections
        DATABASES["default"].setdefault("OPTIONS", {})["pool"] = {
            "min_size": 1,
            "max_size": env_int("ARGUS_DB_POOL_SIZE", 0),
            "timeout": 30,
        }
else:
    DATABASES = {
        "default": {
            "ENGINE": "django.db.backends.sqlite3",
            "NAME": env("ARGUS_SQLITE_PATH", str(DATA_DIR / "argus.sqlite3")),
            # Web process, worker and beat share one file: wait for locks instead of failing.
            # synchronous=NORMAL (SQLite's advice for WAL): a commit no longer waits for an fsync (~9 ms
            # on this class of disk against ~20 us), which every API-key request pays for its usage
            # counter. The file stays consistent; only an OS crash or power loss (not a process crash)
            # can undo the last commits.
            "OPTIONS": {
                "timeout": 30,
                "transaction_mode": "IMMEDIATE",
                "init_command": "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL;",
            },
            # Kept open between requests (on argus.asgi_handler's reused threads): opening one with
            # its PRAGMAs costs ~1 ms of CPU, a third of a whole bare DRF request.
            "CONN_MAX_AGE": env_int("ARGUS_DB_CONN_MAX_AGE", 60),
        }
    }
# API performance area: threads that serve requests' sync code and keep their database connections
# between requests (argus/asgi_handler.py); a request arriving when all are busy gets a throwaway one.
ARGUS_ASGI_THREADS = env_int("ARGUS_ASGI_THREADS", 32)
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

# --- Cache, channel layer, broker -----------------------------------------------------------------
REDIS_URL = env("REDIS_URL")
if REDIS_URL:
    CACHES = {
        "default": {
            "BACKEND": "django_redis.cache.RedisCache",
            "LOCATION": REDIS_URL,
            "KEY_PREFIX": env("ARGUS_CACHE_PREFIX", "argus"),
        }
    }
    CHANNEL_LAYERS = {
        "default": {
            "BACKEND": "channels_redis.core.RedisChannelLayer",
            "CONFIG": {"hosts": [REDIS_URL], "prefix": env("ARGUS_CACHE_PREFIX", "argus")},
        }
    }
else:
    CACHES = {"default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache", "LOCATION": "argus"}}
    CHANNEL_LAYERS = {"default": {"BACKEND": "channels.layers.InMemoryChannelLayer"}}

CELERY_BROKER_URL = env("CELERY_BROKER_URL") or REDIS_URL or "filesystem://"
BROKER_DIR = DATA_DIR / "broker"
if CELERY_BROKER_URL == "filesystem://":
    for sub in ("queue", "processed", "control"):
        (BROKER_DIR / sub).mkdir(parents=True, exist_ok=True)
    CELERY_BROKER_TRANSPORT_OPTIONS = {
        "data_folder_in": str(BROKER_DIR / "queue"),
        "data_folder_out": str(BROKER_DIR / "queue"),
        "processed_folder": str(BROKER_DIR / "processed"),
        "control_folder": str(BROKER_DIR / "control"),
        "store_processed": False,
        # Files are polled: keep a queued run's wait short.
        "polling_interval": 0.1,
    }
CELERY_TASK_ALWAYS_EAGER = env_bool("ARGUS_CELERY_EAGER", False)
CELERY_TASK_ACKS_LATE = True
CELERY_TASK_REJECT_ON_WORKER_LOST = True
CELERY_WORKER_PREFETCH_MULTIPLIER = 1
CELERY_TASK_IGNORE_RESULT = True
CELERY_BEAT_SCHEDULE: dict = {}
CELERY_TIMEZONE = "UTC"

# --- Static and media -----------------------------------------------------------------------------
STATIC_URL = "static/"
STATIC_ROOT = DATA_DIR / "static"
MEDIA_URL = "/media/"
MEDIA_ROOT = Path(env("ARGUS_MEDIA_ROOT", str(DATA_DIR / "media")))

LANGUAGE_CODE = "en-us"
TIME_ZONE = "UTC"
USE_I18N = True
USE_TZ = True

# --- Email ----------------------------------------------------------------------------------------
# Without an SMTP host (embedded mode) emails are printed to the console instead of failing to send.
EMAIL_BACKEND = env(
    "ARGUS_EMAIL_BACKEND",
    f"django.core.mail.backends.{'smtp' if env('EMAIL_HOST') else 'console'}.EmailBackend",
)
EMAIL_HOST = env("EMAIL_HOST", "127.0.0.1")
EMAIL_PORT = env_int("EMAIL_PORT", 25)
EMAIL_HOST_USER = env("EMAIL_HOST_USER")
EMAIL_HOST_PASSWORD = env("EMAIL_HOST_PASSWORD")
EMAIL_USE_TLS = env_bool("EMAIL_USE_TLS", False)
EMAIL_TIMEOUT = env_int("EMAIL_TIMEOUT", 10)
DEFAULT_FROM_EMAIL = env("ARGUS_FROM_EMAIL", "Argus <argus@localhost>")

# --- Authentication -------------------------------------------------------------------------------
# With ARGUS_JWT_JWKS_URL unset, Argus is its own issuer: a key pair kept in DATA_DIR, its JWKS served
# at /.well-known/jwks.json and tokens minted by `manage.py argus_token`.
ARGUS_JWT = {
    "JWKS_URL": env("ARGUS_JWT_JWKS_URL"),
    "ISSUER": env("ARGUS_JWT_ISSUER", PUBLIC_URL),
    "AUDIENCE": env("ARGUS_JWT_AUDIENCE", "argus"),
    "EMAIL_CLAIM": env("ARGUS_JWT_EMAIL_CLAIM", "email"),
    "LEEWAY_SECONDS": env_int("ARGUS_JWT_LEEWAY_SECONDS", 30),
    "JWKS_CACHE_SECONDS": env_int("ARGUS_JWT_JWKS_CACHE_SECONDS", 300),
    "LOCAL_KEY_PATH": env("ARGUS_JWT_LOCAL_KEY_PATH", str(DATA_DIR / "jwt_signing_key.pem")),
}

REST_FRAMEWORK = {
    "DEFAULT_AUTHENTICATION_CLASSES": [
        "apikeys.authentication.APIKeyAuthentication",
        "accounts.authentication.JWTAuthentication",
    ],
    "DEFAULT_PERMISSION_CLASSES": ["rest_framework.permissions.IsAuthenticated"],
    "DEFAULT_RENDERER_CLASSES": ["rest_framework.renderers.JSONRenderer"],
    "DEFAULT_PARSER_CLASSES": ["rest_framework.parsers.JSONParser"],
    "EXCEPTION_HANDLER": "argus.errors.exception_handler",
    "DEFAULT_THROTTLE_CLASSES": ["argus.ratelimit.http.RateLimitThrottle"],
    "DEFAULT_SCHEMA_CLASS": "drf_spectacular.openapi.AutoSchema",
    "UNAUTHENTICATED_USER": None,
}

SPECTACULAR_SETTINGS = {
    "TITLE": "Argus API",
    "DESCRIPTION": "Self-hostable end-to-end testing platform.",
    "VERSION": "2.2.0",
    "SERVE_INCLUDE_SCHEMA": False,
    "COMPONENT_SPLIT_REQUEST": True,
    # Rate limiting / OpenAPI area: the shared error responses and headers of every /api/v1/ operation.
    "DEFAULT_GENERATOR_CLASS": "argus.openapi.ArgusSchemaGenerator",
    "POSTPROCESSING_HOOKS": [
        "drf_spectacular.hooks.postprocess_schema_enums",
        # Streaming area: the SSE endpoints (ASGI apps, not views) written in before the shared errors.
        "testruns.streaming.openapi.add_stream_paths",
        "argus.openapi.postprocess_schema",
    ],
}
# Organizations area: one name per role choice set, so the schema has RoleEnum and InvitableRoleEnum
# instead of generated hash-suffixed names.
SPECTACULAR_SETTINGS["ENUM_NAME_OVERRIDES"] = {
    "RoleEnum": "organizations.roles.Role",
    "InvitableRoleEnum": "organizations.api.serializers.INVITABLE_ROLES",
}
# OpenAPI area: the other choice sets that share a field name across apps ("priority", "status").
SPECTACULAR_SETTINGS["ENUM_NAME_OVERRIDES"].update(
    {
        "NotificationPriorityEnum": "notifications.models.Priority",
        "RunStatusEnum": "testruns.models.Run.Status",
    }
)

# --- Rate limits (the reference's categories; "limit/window_seconds") -----------------------------
ARGUS_RATE_LIMITS = {
    "auth": env("ARGUS_RATE_LIMIT_AUTH", "20/60"),
    "api_key_creation": env("ARGUS_RATE_LIMIT_API_KEY_CREATION", "10/3600"),
    "test_execution": env("ARGUS_RATE_LIMIT_TEST_EXECUTION", "100/3600"),
    "general": env("ARGUS_RATE_LIMIT_GENERAL", "1000/3600"),
}
ARGUS_STREAM_CONCURRENCY = env_int("ARGUS_STREAM_CONCURRENCY", 10)
ARGUS_RATE_LIMIT_ENABLED = env_bool("ARGUS_RATE_LIMIT_ENABLED", True)
# Rate limiting area: the cache alias holding counters and stream slots (Redis when REDIS_URL), how
# long a stream slot survives without a heartbeat, and how many reverse proxies in front of Argus add
# X-Forwarded-For (0: the client address is REMOTE_ADDR and X-Forwarded-For is ignored).
ARGUS_RATE_LIMIT_CACHE = env("ARGUS_RATE_LIMIT_CACHE", "default")
ARGUS_STREAM_SLOT_TTL = env_int("ARGUS_STREAM_SLOT_TTL", 60)
ARGUS_TRUSTED_PROXY_COUNT = env_int("ARGUS_TRUSTED_PROXY_COUNT", 0)
# Routes /bench/bare (a DRF view with no authentication, permission or throttle) for bench/api_bench.py.
ARGUS_BENCH_ROUTES = env_bool("ARGUS_BENCH_ROUTES", False)

# --- Streaming (testruns/streaming) ---------------------------------------------------------------
# A `: heartbeat` comment after this many silent seconds keeps proxies and browsers from closing a stream.
ARGUS_STREAM_HEARTBEAT_SECONDS = env_float("ARGUS_STREAM_HEARTBEAT_SECONDS", 15.0)
# The longest a stream waits for a push before re-reading the event table. Embedded mode's in-memory
# channel layer cannot reach the worker's process, so there this poll delivers events and is short.
ARGUS_STREAM_POLL_SECONDS = env_float("ARGUS_STREAM_POLL_SECONDS", 0.5 if REDIS_URL else 0.05)
# The reconnect delay EventSource is told (`retry:`); it then resumes with Last-Event-ID.
ARGUS_STREAM_RETRY_MS = env_int("ARGUS_STREAM_RETRY_MS", 2000)

# --- Execution ------------------------------------------------------------------------------------
ARGUS_CHROMIUM_PATH = env("ARGUS_CHROMIUM_PATH")  # empty: looked up (see testruns/engine/browser.py)
ARGUS_INVITATION_TTL = timedelta(days=7)

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "handlers": {"console": {"class": "logging.StreamHandler"}},
    "root": {"handlers": ["console"], "level": env("ARGUS_LOG_LEVEL", "INFO")},
    "loggers": {"django.db.backends": {"level": "WARNING"}},
}

# --- Plans (limits per plan; None means unlimited). Changed only by Stripe webhooks. -------------
ARGUS_PLANS = {
    "free": {"projects": 3, "members": 5, "runs_per_month": 500, "concurrent_runs": 2, "streams": 10},
    "team": {"projects": 25, "members": 50, "runs_per_month": 10_000, "concurrent_runs": 10, "streams": 10},
    "enterprise": {"projects": None, "members": None, "runs_per_month": None, "concurrent_runs": 50, "streams": 50},
}

# --- Billing: Stripe and AI budgets (organizations/billing) ---------------------------------------
STRIPE_SECRET_KEY = env("STRIPE_SECRET_KEY")
STRIPE_WEBHOOK_SECRET = env("STRIPE_WEBHOOK_SECRET")
# Where the stripe library sends API calls; tests point it at a local server that speaks Stripe's API.
STRIPE_API_BASE = env("STRIPE_API_BASE", "https://api.stripe.com")
STRIPE_MAX_NETWORK_RETRIES = env_int("STRIPE_MAX_NETWORK_RETRIES", 2)
# Seconds a webhook signature stays acceptable (Stripe's own default tolerance).
STRIPE_WEBHOOK_TOLERANCE = env_int("STRIPE_WEBHOOK_TOLERANCE", 300)
# One recurring Stripe price per paid plan; the webhook maps a subscription's price back to its plan.
STRIPE_PRICE_IDS = {
    "team": env("STRIPE_PRICE_TEAM"),
    "enterprise": env("STRIPE_PRICE_ENTERPRISE"),
}
# Where Stripe sends the browser back when the caller gives no URL.
STRIPE_DEFAULT_RETURN_URL = env("STRIPE_DEFAULT_RETURN_URL", PUBLIC_URL + "/")
# US dollars per million tokens, per provider and model. A model matches its longest key prefix
# ("claude-sonnet-4" prices "claude-sonnet-4-20250514"); "*" prices a provider's unlisted models.
# "*" is priced high on purpose: an unknown model should reach the budget early, never run free.
# ARGUS_AI_PRICING (JSON of the same shape) replaces the table.
ARGUS_AI_PRICING = json.loads(env("ARGUS_AI_PRICING") or "null") or {
    "anthropic": {
        "claude-opus-4": {"input": "15.00", "output": "75.00"},
        "claude-sonnet-4": {"input": "3.00", "output": "15.00"},
        "claude-3-7-sonnet": {"input": "3.00", "output": "15.00"},
        "claude-3-5-sonnet": {"input": "3.00", "output": "15.00"},
        "claude-haiku-4": {"input": "1.00", "output": "5.00"},
        "claude-3-5-haiku": {"input": "0.80", "output": "4.00"},
        "claude-3-haiku": {"input": "0.25", "output": "1.25"},
        "*": {"input": "15.00", "output": "75.00"},
    },
    "openai": {
        "gpt-4o-mini": {"input": "0.15", "output": "0.60"},
        "gpt-4o": {"input": "2.50", "output": "10.00"},
        "*": {"input": "10.00", "output": "30.00"},
    },
}

# --- AI: the optional tie-break of self-healing (testruns/execution/ai.py) -------------------------
# Off unless ARGUS_AI_PROVIDER names a provider and its key is set; every call is charged to the run's
# organization (ARGUS_AI_PRICING above) and refused once ai_budget_daily / ai_budget_monthly is spent.
# ARGUS_AI_BASE_URL points the official SDK elsewhere (a proxy, a gateway, a test server).
from django.core.exceptions import ImproperlyConfigured  # noqa: E402  (kept inside the AI block)

ARGUS_AI_PROVIDER = env("ARGUS_AI_PROVIDER").strip().lower()
if ARGUS_AI_PROVIDER not in ("", "anthropic"):
    raise ImproperlyConfigured(f"ARGUS_AI_PROVIDER must be empty (off) or 'anthropic', not {ARGUS_AI_PROVIDER!r}")
ANTHROPIC_API_KEY = env("ANTHROPIC_API_KEY")
ARGUS_AI_BASE_URL = env("ARGUS_AI_BASE_URL")
ARGUS_AI_MODEL = env("ARGUS_AI_MODEL", "claude-haiku-4-5")
# The call runs on the engine's thread (heartbeats go on); a cancelled run waits for it at most this long.
ARGUS_AI_TIMEOUT_SECONDS = env_float("ARGUS_AI_TIMEOUT_SECONDS", 10.0)

# --- Notifications --------------------------------------------------------------------------------
from celery.schedules import crontab  # noqa: E402  (kept inside the notifications block)

# Channel secrets are encrypted with a Fernet key derived from ARGUS_ENCRYPTION_KEY (else SECRET_KEY);
# keys listed in ARGUS_ENCRYPTION_KEYS_PREVIOUS (comma-separated) still decrypt, for key rotation.
ARGUS_ENCRYPTION_KEY = env("ARGUS_ENCRYPTION_KEY")
ARGUS_ENCRYPTION_KEYS_PREVIOUS = [k for k in env("ARGUS_ENCRYPTION_KEYS_PREVIOUS").split(",") if k]
# Webhook and Slack URLs reaching loopback/private/link-local/metadata addresses are refused unless
# allowed: all of them (self-hosted intranets, tests) or only the listed networks (CIDRs).
ARGUS_NOTIFICATIONS_ALLOW_PRIVATE_ADDRESSES = env_bool("ARGUS_NOTIFICATIONS_ALLOW_PRIVATE_ADDRESSES", False)
ARGUS_NOTIFICATIONS_ALLOWED_NETWORKS = [n for n in env("ARGUS_NOTIFICATIONS_ALLOWED_NETWORKS").split(",") if n]
ARGUS_NOTIFICATIONS_HTTP_TIMEOUT = env_float("ARGUS_NOTIFICATIONS_HTTP_TIMEOUT", 10.0)
ARGUS_NOTIFICATIONS_MAX_ATTEMPTS = env_int("ARGUS_NOTIFICATIONS_MAX_ATTEMPTS", 6)
ARGUS_NOTIFICATIONS_RETRY_BASE_SECONDS = env_int("ARGUS_NOTIFICATIONS_RETRY_BASE_SECONDS", 30)
ARGUS_DIGEST_WEEKDAY = env("ARGUS_DIGEST_WEEKDAY", "mon")
ARGUS_DIGEST_HOUR_UTC = env_int("ARGUS_DIGEST_HOUR_UTC", 8)
CELERY_BEAT_SCHEDULE["notifications-weekly-digest"] = {
    "task": "notifications.tasks.send_weekly_digests",
    "schedule": crontab(day_of_week=ARGUS_DIGEST_WEEKDAY, hour=ARGUS_DIGEST_HOUR_UTC, minute=0),
}
# Re-enqueues deliveries whose retry was lost with a worker (a broker without durable ETAs).
CELERY_BEAT_SCHEDULE["notifications-resume-deliveries"] = {
    "task": "notifications.tasks.resume_stalled_deliveries",
    "schedule": 300.0,
}

# --- Runs: execution, durability, demo (testruns) -------------------------------------------------
# A worker heartbeats its run every ARGUS_RUN_HEARTBEAT_SECONDS; a running run silent for
# ARGUS_RUN_STALE_SECONDS is re-queued by beat (every ARGUS_RUN_RECOVERY_SECONDS) and continues from its
# last checkpoint on another worker. Cancel requests are noticed within ARGUS_RUN_CANCEL_CHECK_SECONDS.
ARGUS_RUN_HEARTBEAT_SECONDS = env_float("ARGUS_RUN_HEARTBEAT_SECONDS", 5.0)
ARGUS_RUN_STALE_SECONDS = env_float("ARGUS_RUN_STALE_SECONDS", 30.0)
ARGUS_RUN_RECOVERY_SECONDS = env_float("ARGUS_RUN_RECOVERY_SECONDS", 15.0)
# A re-queued run no worker has taken yet is re-queued again only after this long (its delivery may be lost).
ARGUS_RUN_REQUEUE_SECONDS = env_float("ARGUS_RUN_REQUEUE_SECONDS", 600.0)
ARGUS_RUN_CANCEL_CHECK_SECONDS = env_float("ARGUS_RUN_CANCEL_CHECK_SECONDS", 0.25)
ARGUS_DEMO_APP_URL = env("ARGUS_DEMO_APP_URL", "http://127.0.0.1:8001/")
CELERY_BEAT_SCHEDULE["testruns-recover-stale-runs"] = {
    "task": "testruns.recover_stale_runs",
    "schedule": ARGUS_RUN_RECOVERY_SECONDS,
}
