"""One settings module, configured from the environment.

Defaults give the embedded set-up (SQLite in WAL mode under var/); DATABASE_URL switches
to PostgreSQL. DEBUG is off unless asked for; without ANJIAN_SECRET_KEY a random key is
generated once into var/secret_key.
"""

from __future__ import annotations

import contextlib
import datetime as dt
import os
import re
import secrets
from pathlib import Path

import dj_database_url
from django.core.exceptions import ImproperlyConfigured
from django.utils.translation import gettext_lazy as _

BASE_DIR = Path(__file__).resolve().parent.parent
VAR_DIR = Path(os.environ.get("ANJIAN_VAR_DIR", BASE_DIR / "var"))
VAR_DIR.mkdir(parents=True, exist_ok=True)


def env_bool(name: str, default: bool = False) -> bool:
    value = os.environ.get(name)
    if value is None:
        return default
    return value.strip().lower() in {"1", "true", "yes", "on"}


# pytest sets PYTEST_VERSION while it runs: tests get the development key and plain
# static storage without any set-up.
TESTING = env_bool("ANJIAN_TESTING", False) or "PYTEST_VERSION" in os.environ
DEBUG = env_bool("ANJIAN_DEBUG", False)
SECRET_KEY = os.environ.get("ANJIAN_SECRET_KEY", "")
if not SECRET_KEY:
    # Zero-configuration installs get a random key kept beside the data (readable by the
    # owner only); production sets ANJIAN_SECRET_KEY from its secret store.
    key_file = VAR_DIR / "secret_key"
    if not key_file.exists():
        tmp = key_file.with_name(f"secret_key.{os.getpid()}")
        tmp.write_text(secrets.token_urlsafe(50), encoding="ascii")
        tmp.chmod(0o600)
        # link() refuses to overwrite: the first of two concurrent starts wins.
        with contextlib.suppress(FileExistsError):
            os.link(tmp, key_file)
        tmp.unlink()
    SECRET_KEY = key_file.read_text(encoding="ascii").strip()

ALLOWED_HOSTS = [
    h.strip()
    for h in os.environ.get("ANJIAN_ALLOWED_HOSTS", "127.0.0.1,localhost,testserver").split(",")
    if h.strip()
]
CSRF_TRUSTED_ORIGINS = [
    o.strip() for o in os.environ.get("ANJIAN_CSRF_TRUSTED_ORIGINS", "").split(",") if o.strip()
]

INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
    "django.contrib.humanize",
    "django_tasks",
    "django_tasks_db",
    "tree_queries",
    "ninja",
    # Before anjian.accounts: its failed-login receiver runs first, so ours sees the count.
    "anjian.accounts.axes_app.AxesConfig",  # django-axes, with a Chinese name
    "anjian.core",
    "anjian.accounts",
    "anjian.registry",
    "anjian.risks",
    "anjian.hazards",
    "anjian.credit",
    "anjian.reports",
    "anjian.diagnosis",
    "anjian.monitoring",
    "anjian.commitments",
    "anjian.checks",
    "anjian.inspections",
    "anjian.penalties",
    "anjian.accidents",
    "anjian.emergency",
    "anjian.public",
    "anjian.people",
    "anjian.dispatch",
    "anjian.dashboard",  # the home page: above every capability
    "anjian.api",
    "anjian.demo",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "anjian.core.headers.SecurityHeadersMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "anjian.core.middleware.ChineseFirstLocaleMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "anjian.accounts.middleware.SessionTimeoutMiddleware",
    # Last, as django-axes asks: it turns a refused sign-in into the lockout page.
    "axes.middleware.AxesMiddleware",
]

ROOT_URLCONF = "anjian.urls"
WSGI_APPLICATION = "anjian.wsgi.application"

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
                "django.template.context_processors.i18n",
            ],
        },
    },
]

# --- database -------------------------------------------------------------------------
DATABASE_URL = os.environ.get("DATABASE_URL", "").strip()
if DATABASE_URL:
    # Behind PgBouncer in transaction mode (docs/operations.md, PostgreSQL) a server
    # connection changes hands between transactions: no server-side cursors (a named
    # cursor outlives the transaction that declared it), and Django need not keep its
    # client connection open (PgBouncer pools; 0 closes it after each request).
    PGBOUNCER = env_bool("ANJIAN_PGBOUNCER", False)
    _default_db = dj_database_url.parse(
        DATABASE_URL,
        # Persistent connections: a new PostgreSQL backend costs a fork and an
        # authentication (several ms) per request otherwise; the health check at the
        # start of a request replaces a connection the server closed meanwhile.
        conn_max_age=int(os.environ.get("ANJIAN_DB_CONN_MAX_AGE", "0" if PGBOUNCER else "600")),
        conn_health_checks=True,
    )
    if _default_db["ENGINE"] == "django.db.backends.postgresql":
        if PGBOUNCER:
            # .iterator() declares a cursor that must live on one server connection.
            _default_db["DISABLE_SERVER_SIDE_CURSORS"] = True
        else:
            # JIT compiles a query whose estimated cost passes jit_above_cost: the app's
            # queries are short OLTP ones, for which the compiling (tens of ms) costs more
            # than it saves, and a large scope's estimate passes that cost easily.
            # work_mem: the server default (4MB) makes the ledger's bitmap scans lossy and
            # its hashes spill (a text search's chips: 238 ms at 4MB, 100 ms at 16MB, at
            # 2,000,000 hazards); ANJIAN_PG_WORK_MEM="" leaves the server's value. (PgBouncer
            # refuses startup parameters: there `ALTER ROLE … SET jit = off` and
            # `… SET work_mem = '16MB'`, docs/operations.md.)
            _startup = "-c jit=off"
            _work_mem = os.environ.get("ANJIAN_PG_WORK_MEM", "16MB").strip()
            if _work_mem:
                if not re.fullmatch(r"\d+(kB|MB|GB)", _work_mem):
                    raise ImproperlyConfigured(
                        f"ANJIAN_PG_WORK_MEM must be a size such as 16MB, not {_work_mem!r}"
                    )
                _startup += f" -c work_mem={_work_mem}"
            _db_options = _default_db.setdefault("OPTIONS", {})
            _db_options["options"] = f"{_db_options.get('options', '')} {_startup}".strip()
    DATABASES = {"default": _default_db}
else:
    sqlite_path = Path(os.environ.get("ANJIAN_SQLITE_PATH", VAR_DIR / "anjian.sqlite3"))
    DATABASES = {
        "default": {
            "ENGINE": "django.db.backends.sqlite3",
            "NAME": sqlite_path,
            "OPTIONS": {
                # IMMEDIATE takes the write lock when a transaction starts, so two writers
                # queue instead of failing half-way with "database is locked".
                "transaction_mode": "IMMEDIATE",
                "timeout": 20,
                "init_command": (
                    "PRAGMA journal_mode=WAL;"
                    "PRAGMA synchronous=NORMAL;"
                    "PRAGMA foreign_keys=ON;"
                    "PRAGMA busy_timeout=20000;"
                    "PRAGMA cache_size=-65536;"
                ),
            },
            "TEST": {"NAME": os.environ.get("ANJIAN_SQLITE_TEST_PATH") or None},
        }
    }
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

AUTH_USER_MODEL = "accounts.User"
# One validator runs Django's four (similar to the username, length, common, all digits)
# so every password form shows the policy as one sentence.
AUTH_PASSWORD_VALIDATORS = [
    {
        "NAME": "anjian.accounts.passwords.PasswordPolicyValidator",
        "OPTIONS": {"min_length": 10},
    },
]
AUTHENTICATION_BACKENDS = [
    # First: refuses a locked-out account or address before any password is hashed.
    "anjian.accounts.backends.LockoutBackend",
    "django.contrib.auth.backends.ModelBackend",
]
LOGIN_URL = "login"
LOGIN_REDIRECT_URL = "home"
LOGOUT_REDIRECT_URL = "login"

# --- i18n: zh-hans first ----------------------------------------------------------------
LANGUAGE_CODE = "zh-hans"
LANGUAGES = [("zh-hans", _("Simplified Chinese")), ("en", _("English"))]
LOCALE_PATHS = [BASE_DIR / "locale"]
TIME_ZONE = "Asia/Shanghai"
USE_I18N = True
USE_TZ = True

STATIC_URL = "static/"
STATIC_ROOT = VAR_DIR / "static"
STATIC_ROOT.mkdir(exist_ok=True)  # WhiteNoise warns on every request when it is missing
STATICFILES_DIRS = [BASE_DIR / "static"]
MEDIA_URL = "media/"
MEDIA_ROOT = VAR_DIR / "media"

STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {
        "BACKEND": (
            "django.contrib.staticfiles.storage.StaticFilesStorage"
            if DEBUG or TESTING or not env_bool("ANJIAN_STATIC_MANIFEST", True)
            else "whitenoise.storage.CompressedManifestStaticFilesStorage"
        )
    },
}
WHITENOISE_USE_FINDERS = True

# --- uploads (issue 9) ---
# Media has no public URL: files are served only by views that check scope
# (anjian.core.uploads). Largest image accepted, in pixels (width × height), checked before
# anything is decoded; Pillow's own guard stops anything above ~89 megapixels regardless.
ANJIAN_UPLOAD_MAX_PIXELS = int(os.environ.get("ANJIAN_UPLOAD_MAX_PIXELS", "40000000"))
# Behind nginx: the internal location (e.g. "/_protected_media/") that aliases MEDIA_ROOT;
# the app then answers with X-Accel-Redirect and nginx sends the file. Empty: the app
# streams the file itself.
ANJIAN_MEDIA_ACCEL_REDIRECT = os.environ.get("ANJIAN_MEDIA_ACCEL_REDIRECT", "").strip()

# --- security defaults ----------------------------------------------------------------------
SESSION_COOKIE_HTTPONLY = True
SESSION_COOKIE_AGE = 8 * 3600
CSRF_COOKIE_HTTPONLY = False
X_FRAME_OPTIONS = "DENY"
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "same-origin"
# Content-Security-Policy (anjian.core.headers): scripts from this site only, never
# inline; nothing framed, nothing posted elsewhere.
ANJIAN_CONTENT_SECURITY_POLICY = {
    "default-src": ["'self'"],
    "script-src": ["'self'"],
    "style-src": ["'self'"],
    "style-src-elem": ["'self'"],
    "style-src-attr": ["'unsafe-inline'"],
    "img-src": ["'self'", "data:", "blob:"],
    "font-src": ["'self'"],
    "connect-src": ["'self'"],
    "object-src": ["'none'"],
    "base-uri": ["'self'"],
    "form-action": ["'self'"],
    "frame-ancestors": ["'none'"],
}
# The device features a page may use: the camera and the position for on-site checks
# from a phone, nothing else.
ANJIAN_PERMISSIONS_POLICY = os.environ.get(
    "ANJIAN_PERMISSIONS_POLICY",
    "camera=(self), geolocation=(self), microphone=(), payment=(), usb=(), serial=(), "
    "bluetooth=(), midi=(), display-capture=()",
)
if env_bool("ANJIAN_HTTPS", False):
    # Behind the TLS proxy (docs/operations.md): cookies only over HTTPS, plain HTTP
    # redirected, and browsers told to use HTTPS only (HSTS) for a year by default.
    SESSION_COOKIE_SECURE = True
    CSRF_COOKIE_SECURE = True
    SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
    SECURE_SSL_REDIRECT = True
    SECURE_HSTS_SECONDS = int(os.environ.get("ANJIAN_HSTS_SECONDS", str(365 * 24 * 3600)))
    SECURE_HSTS_INCLUDE_SUBDOMAINS = env_bool("ANJIAN_HSTS_INCLUDE_SUBDOMAINS", True)
    SECURE_HSTS_PRELOAD = env_bool("ANJIAN_HSTS_PRELOAD", True)

# --- accounts security (issue 9) ----------------------------------------------------------
# 等保 level 3: lockout after repeated failed sign-ins, idle and absolute session limits,
# API tokens that expire. docs/operations.md lists each setting.
ANJIAN_LOGIN_FAILURE_LIMIT = int(os.environ.get("ANJIAN_LOGIN_FAILURE_LIMIT", "5"))
ANJIAN_LOGIN_LOCKOUT_MINUTES = int(os.environ.get("ANJIAN_LOGIN_LOCKOUT_MINUTES", "30"))
# Delay after the n-th failure: base × 2^(n-1), capped at 2 s; 0 switches it off.
ANJIAN_LOGIN_DELAY_SECONDS = float(
    os.environ.get("ANJIAN_LOGIN_DELAY_SECONDS", "0" if TESTING else "0.25")
)
# Reverse proxies in front of the app that append to X-Forwarded-For (nginx: 1). With 0
# the peer address is the client, as it is when gunicorn faces the browsers directly.
ANJIAN_TRUSTED_PROXY_COUNT = int(os.environ.get("ANJIAN_TRUSTED_PROXY_COUNT", "0"))
ANJIAN_SESSION_IDLE_MINUTES = int(os.environ.get("ANJIAN_SESSION_IDLE_MINUTES", "30"))
ANJIAN_API_TOKEN_DAYS = int(os.environ.get("ANJIAN_API_TOKEN_DAYS", "90"))

AXES_FAILURE_LIMIT = ANJIAN_LOGIN_FAILURE_LIMIT
AXES_COOLOFF_TIME = dt.timedelta(minutes=ANJIAN_LOGIN_LOCKOUT_MINUTES)
# Per account and per address, each on its own: guessing many passwords for one account
# from many addresses, or many accounts from one address, both end in a lockout.
AXES_LOCKOUT_PARAMETERS = ["username", "ip_address"]
# A success does not clear the count: otherwise an attacker with one account of their own
# would sign in with it between guesses and keep the address's count below the limit.
AXES_RESET_ON_SUCCESS = False
# The lockout lasts the configured time from the failure that caused it; attempts during
# it are refused without extending it.
AXES_RESET_COOL_OFF_ON_FAILURE_DURING_LOCKOUT = False
AXES_CLIENT_IP_CALLABLE = "anjian.accounts.security.client_ip"
AXES_LOCKOUT_CALLABLE = "anjian.accounts.security.lockout_response"
# Sign-ins are in the audit chain; the security administrator unlocks in our own admin.
AXES_DISABLE_ACCESS_LOG = True
AXES_ENABLE_ADMIN = False
AXES_VERBOSE = False

# --- background tasks (django-tasks; the database backend needs no extra server) -------------
TASKS = {
    "default": {
        "BACKEND": os.environ.get("ANJIAN_TASKS_BACKEND", "django_tasks_db.DatabaseBackend"),
    }
}

# --- ninja -------------------------------------------------------------------------------
NINJA_PAGINATION_PER_PAGE = 25
NINJA_PAGINATION_MAX_LIMIT = 200

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "handlers": {"console": {"class": "logging.StreamHandler"}},
    "root": {"handlers": ["console"], "level": os.environ.get("ANJIAN_LOG_LEVEL", "WARNING")},
    # ANJIAN_NOTIFY_LOG_LEVEL=INFO prints what the default sender would have sent (every
    # message is recorded as a SentMessage row either way).
    "loggers": {"anjian.notify": {"level": os.environ.get("ANJIAN_NOTIFY_LOG_LEVEL", "WARNING")}},
}

# --- the hazard loop's local policies (docs/operations.md) --------------------------------
ANJIAN_HAZARD_RECURRENCE_DAYS = int(os.environ.get("ANJIAN_HAZARD_RECURRENCE_DAYS", "90"))
ANJIAN_HAZARD_EXPORT_MAX_ROWS = int(os.environ.get("ANJIAN_HAZARD_EXPORT_MAX_ROWS", "300000"))
if os.environ.get("ANJIAN_HAZARD_DEADLINE_POLICY"):
    ANJIAN_HAZARD_DEADLINE_POLICY = os.environ["ANJIAN_HAZARD_DEADLINE_POLICY"]
# --- monitoring alarms' local policies (docs/operations.md, "Monitoring: alarms") -----------
# Minutes before each of the four escalation steps of an unacknowledged alarm (step 1
# after the raise, the others after the previous step); comma-separated in the environment.
ANJIAN_MONITORING_ESCALATION_MINUTES = tuple(
    int(m) for m in os.environ.get("ANJIAN_MONITORING_ESCALATION_MINUTES", "0,10,20,30").split(",")
)
ANJIAN_MONITORING_HAZARD_AFTER_MINUTES = int(
    os.environ.get("ANJIAN_MONITORING_HAZARD_AFTER_MINUTES", "120")
)
ANJIAN_MONITORING_HAZARD_REPEATS = int(os.environ.get("ANJIAN_MONITORING_HAZARD_REPEATS", "5"))
ANJIAN_MONITORING_HAZARD_REPEAT_HOURS = int(
    os.environ.get("ANJIAN_MONITORING_HAZARD_REPEAT_HOURS", "24")
)
# Emergency management (docs/emergency.md): the reading of the drill-frequency rule
# ("national" minimum, or "each_onsite": every on-site plan each half year), the days
# before expiry a supply is warned of, and the road-network provider of the one-click
# response (dotted path of a class with route(origin, destination) -> (km, minutes);
# default the offline great-circle estimate).
ANJIAN_DRILL_PROFILE = os.environ.get("ANJIAN_DRILL_PROFILE", "national")
ANJIAN_SUPPLY_EXPIRY_DAYS = int(os.environ.get("ANJIAN_SUPPLY_EXPIRY_DAYS", "30"))
ANJIAN_ROUTE_PROVIDER = os.environ.get(
    "ANJIAN_ROUTE_PROVIDER", "anjian.emergency.routing.GreatCircle"
)
ANJIAN_NOTIFY_SENDERS = [
    path.strip()
    for path in os.environ.get("ANJIAN_NOTIFY_SENDERS", "anjian.core.notify.LoggingSender").split(
        ","
    )
    if path.strip()
]

# Enterprise list page size (pages and API default).
ANJIAN_PAGE_SIZE = 25

# --- audit chain (issue 9) ---
# The MAC key of the audit chain must not live in the database it protects: from the
# environment (production: the secret store), else generated once into a file beside the
# data, readable by the owner only. Tests use a fixed key.
ANJIAN_AUDIT_KEY_FILE = Path(os.environ.get("ANJIAN_AUDIT_KEY_FILE", VAR_DIR / "audit_key"))
ANJIAN_AUDIT_KEY = os.environ.get("ANJIAN_AUDIT_KEY", "")
if not ANJIAN_AUDIT_KEY and TESTING:
    ANJIAN_AUDIT_KEY = "anjian-test-audit-key-not-for-production"
if not ANJIAN_AUDIT_KEY:
    if not ANJIAN_AUDIT_KEY_FILE.exists():
        ANJIAN_AUDIT_KEY_FILE.parent.mkdir(parents=True, exist_ok=True)
        tmp = ANJIAN_AUDIT_KEY_FILE.with_name(f"{ANJIAN_AUDIT_KEY_FILE.name}.{os.getpid()}")
        fd = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
        with os.fdopen(fd, "w", encoding="ascii") as handle:
            handle.write(secrets.token_hex(32))
        # link() refuses to overwrite: the first of two concurrent starts wins.
        with contextlib.suppress(FileExistsError):
            os.link(tmp, ANJIAN_AUDIT_KEY_FILE)
        tmp.unlink()
    ANJIAN_AUDIT_KEY = ANJIAN_AUDIT_KEY_FILE.read_text(encoding="ascii").strip()
# Whistleblower identities (anjian.public.crypto): a 256-bit AES-GCM key as 64 hex digits,
# from the environment (production: the secret store), else generated once into a file
# beside the data (mode 600). Its id names it in each sealed row so it can be rotated:
# keep old keys in ANJIAN_IDENTITY_OLD_KEYS ("id:hex,id:hex") while rows are re-sealed.
ANJIAN_IDENTITY_KEY_FILE = Path(
    os.environ.get("ANJIAN_IDENTITY_KEY_FILE", VAR_DIR / "identity_key")
)
ANJIAN_IDENTITY_KEY = os.environ.get("ANJIAN_IDENTITY_KEY", "")
ANJIAN_IDENTITY_KEY_ID = os.environ.get("ANJIAN_IDENTITY_KEY_ID", "k1")
ANJIAN_IDENTITY_OLD_KEYS = os.environ.get("ANJIAN_IDENTITY_OLD_KEYS", "")
if not ANJIAN_IDENTITY_KEY and TESTING:
    ANJIAN_IDENTITY_KEY = "00112233445566778899aabbccddeeff00112233445566778899aabbccddeeff"
if not ANJIAN_IDENTITY_KEY:
    if not ANJIAN_IDENTITY_KEY_FILE.exists():
        ANJIAN_IDENTITY_KEY_FILE.parent.mkdir(parents=True, exist_ok=True)
        _tmp = ANJIAN_IDENTITY_KEY_FILE.with_name(f"{ANJIAN_IDENTITY_KEY_FILE.name}.{os.getpid()}")
        _fd = os.open(_tmp, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
        with os.fdopen(_fd, "w", encoding="ascii") as _handle:
            _handle.write(secrets.token_hex(32))
        with contextlib.suppress(FileExistsError):
            os.link(_tmp, ANJIAN_IDENTITY_KEY_FILE)
        _tmp.unlink()
    ANJIAN_IDENTITY_KEY = ANJIAN_IDENTITY_KEY_FILE.read_text(encoding="ascii").strip()
# Whistleblower portal limits per sender (a keyed hash of the address, never the address).
ANJIAN_REPORT_LIMIT_HOUR = int(os.environ.get("ANJIAN_REPORT_LIMIT_HOUR", "5"))
ANJIAN_REPORT_LIMIT_DAY = int(os.environ.get("ANJIAN_REPORT_LIMIT_DAY", "20"))
# Signed checkpoints of the chain's head, appended outside the database (copy the file
# off the host too: docs/operations.md, Audit trail). Tests never write into ./var.
ANJIAN_AUDIT_CHECKPOINT_FILE = Path(
    os.environ.get("ANJIAN_AUDIT_CHECKPOINT_FILE", VAR_DIR / "audit-checkpoints.jsonl")
)
if TESTING and not {"ANJIAN_AUDIT_CHECKPOINT_FILE", "ANJIAN_VAR_DIR"} & os.environ.keys():
    import tempfile

    ANJIAN_AUDIT_CHECKPOINT_FILE = (
        Path(tempfile.mkdtemp(prefix="anjian-test-audit-")) / "audit-checkpoints.jsonl"
    )
# Re-sealing a pre-MAC chain (migration core 0003) refuses a chain that is already broken:
# sealing it would launder the damage. Set to 1 to seal it anyway (the breakage is kept
# in the first checkpoint).
ANJIAN_AUDIT_RESEAL_BROKEN = env_bool("ANJIAN_AUDIT_RESEAL_BROKEN", False)

if TESTING:
    # Tests create many users; the slow production hash buys nothing there.
    PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
    # Uploads made by tests never land among the real data.
    import tempfile

    MEDIA_ROOT = Path(tempfile.mkdtemp(prefix="anjian-test-media-"))
