"""Settings read from the environment, with the defaults a fresh machine needs."""

from __future__ import annotations

import ipaddress
import logging
import os
import secrets
from dataclasses import dataclass
from pathlib import Path

log = logging.getLogger(__name__)

DEFAULT_DATA_DIR = Path("var/decarb-data")
DEFAULT_MAX_UPLOAD_MB = 10.0
#: Excel's own row limit; a return never needs more.
DEFAULT_MAX_ROWS = 1_048_576
#: A return has 11 columns; a sheet with hundreds is not a return.
DEFAULT_MAX_COLUMNS = 200
#: The values ``DECARB_ENV`` may take; unset means development.
ENVIRONMENTS = ("development", "production")
#: ``DECARB_TRUST_PROXY=1`` (or true/yes): the reverse proxy runs on this machine.
LOOPBACK_PROXIES = ("127.0.0.1", "::1")
#: Where a deployment without DECARB_SECRET_KEY keeps the key it made, in the data directory.
SECRET_KEY_FILE = "secret_key"
MIN_SECRET_KEY_CHARS = 32


class ConfigurationError(RuntimeError):
    """The environment does not allow the app to start safely; the message says what to set."""


def data_dir() -> Path:
    """Return the data directory: ``$DECARB_DATA_DIR`` or ``./var/decarb-data``."""
    return Path(os.environ.get("DECARB_DATA_DIR") or DEFAULT_DATA_DIR)


#: The schemes of ``DECARB_DATABASE_URL`` that select PostgreSQL (SQLAlchemy's name for psycopg 3 included).
DATABASE_URL_SCHEMES = ("postgresql", "postgresql+psycopg", "postgres")


def database_url() -> str | None:
    """Return where the store's catalogue and lines live: ``$DECARB_DATABASE_URL``, or None for the data directory.

    Unset (the default, for one machine): the SQLite catalogue and Parquet files of
    :func:`data_dir`. ``postgresql://user:password@host:5432/decarb`` (also
    ``postgresql+psycopg://``, or ``postgresql:///decarb?host=/run/postgresql`` for a
    unix socket): a PostgreSQL database shared by several servers, which holds the
    submissions, their lines, the audit log and the register's history; its tables are made
    and brought up to date by ``decarb store migrate`` (``docs/deployment.md``).
    """
    raw = os.environ.get("DECARB_DATABASE_URL", "").strip()
    if not raw:
        return None
    if raw.split("://", 1)[0].lower() not in DATABASE_URL_SCHEMES or "://" not in raw:
        raise ConfigurationError("DECARB_DATABASE_URL does not start with postgresql://: set it to a PostgreSQL "
                                 "database's address, such as postgresql://decarb:PASSWORD@db.example:5432/decarb, "
                                 "or unset it to keep the store in the data directory")
    return raw


def max_upload_bytes() -> int:
    """Return the largest upload accepted, in bytes (``$DECARB_MAX_UPLOAD_MB``, default 10 MB)."""
    raw = os.environ.get("DECARB_MAX_UPLOAD_MB")
    try:
        megabytes = float(raw) if raw else DEFAULT_MAX_UPLOAD_MB
    except ValueError:
        megabytes = DEFAULT_MAX_UPLOAD_MB
    return round(megabytes * 1024 * 1024)


#: The values ``DECARB_PUBLISH`` may take: every current return (marked provisional until accepted), or accepted only.
PUBLISH_SETTINGS = ("all", "accepted")


def publish_accepted_only() -> bool:
    """Return whether the comparisons show accepted returns only (``DECARB_PUBLISH=accepted``).

    The default, ``all``, shows every current return, each marked provisional until it is accepted.
    """
    raw = os.environ.get("DECARB_PUBLISH", "").strip().lower() or "all"
    if raw not in PUBLISH_SETTINGS:
        raise ConfigurationError(f"DECARB_PUBLISH is {raw!r}: set it to accepted (publish accepted returns only) "
                                 "or all (every current return, marked provisional until accepted), or unset it")
    return raw == "accepted"


@dataclass(frozen=True)
class WebSettings:
    """How the web app is deployed (the variables are documented in the README)."""

    production: bool  #: ``DECARB_ENV=production``
    secret_key: str  #: ``DECARB_SECRET_KEY``; empty: the data directory's own key (see :func:`local_secret_key`)
    trusted_proxies: tuple[str, ...]  #: ``DECARB_TRUST_PROXY``: the address(es) of the one reverse proxy in front
    trusted_user_header: str | None  #: ``DECARB_TRUSTED_USER_HEADER``: single sign-on through a proxy
    demo_accounts: bool  #: ``DECARB_DEMO_ACCOUNTS``

    @property
    def trust_proxy(self) -> bool:
        return bool(self.trusted_proxies)


def _environment() -> str:
    raw = os.environ.get("DECARB_ENV", "").strip().lower() or "development"
    if raw not in ENVIRONMENTS:
        raise ConfigurationError(f"DECARB_ENV is {raw!r}: set it to one of {', '.join(ENVIRONMENTS)} "
                                 "(or leave it unset for development)")
    return raw


def _trusted_proxies() -> tuple[str, ...]:
    """Parse ``DECARB_TRUST_PROXY``: 1/true/yes for a proxy on this machine, else its IP addresses, comma-separated."""
    raw = os.environ.get("DECARB_TRUST_PROXY", "").strip()
    if not raw or raw.lower() in ("0", "false", "no"):
        return ()
    if raw.lower() in ("1", "true", "yes"):
        return LOOPBACK_PROXIES
    out = []
    for part in raw.split(","):
        try:
            out.append(str(ipaddress.ip_address(part.strip())))
        except ValueError:
            raise ConfigurationError(f"DECARB_TRUST_PROXY has {part.strip()!r}, which is not an IP address: set it to "
                                     "the address the reverse proxy connects from (e.g. 127.0.0.1), or to 1 for a "
                                     "proxy on this machine") from None
    return tuple(out)


def web_settings() -> WebSettings:
    """Return the web app's settings, or raise ConfigurationError for a set-up that is not safe or not understood."""
    settings = WebSettings(
        production=_environment() == "production",
        secret_key=os.environ.get("DECARB_SECRET_KEY", ""),
        trusted_proxies=_trusted_proxies(),
        trusted_user_header=os.environ.get("DECARB_TRUSTED_USER_HEADER") or None,
        demo_accounts=bool(os.environ.get("DECARB_DEMO_ACCOUNTS")),
    )
    if settings.production and len(settings.secret_key) < MIN_SECRET_KEY_CHARS:
        raise ConfigurationError(
            "DECARB_ENV is production but DECARB_SECRET_KEY is not set (or shorter than 32 characters): "
            "set it to a long random value shared by every worker, e.g. from `python -c \"import secrets; "
            "print(secrets.token_hex(32))\"`"
        )
    publish_accepted_only()  # a DECARB_PUBLISH it does not understand stops the start, not a page later
    if settings.production and settings.demo_accounts:
        raise ConfigurationError("DECARB_DEMO_ACCOUNTS is set: demo accounts have published passwords and "
                                 "are refused in production; unset it and add accounts with `decarb users add`")
    return settings


def local_secret_key(data_dir: Path) -> str:
    """Return the secret key kept in ``data_dir`` (made once, readable only by its owner), for a set-up without one.

    Every worker over the same data directory reads the same key, so a session
    signed by one is accepted by the others. The first to start makes it: the key
    is written to a private temporary file and linked into place, which fails
    for all but one; the others read the winner's.
    """
    path = Path(data_dir) / SECRET_KEY_FILE
    if not path.exists():
        path.parent.mkdir(parents=True, exist_ok=True)
        tmp = path.with_name(f".{SECRET_KEY_FILE}.{os.getpid()}.{secrets.token_hex(4)}")
        fd = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
        try:
            with os.fdopen(fd, "w", encoding="ascii") as f:
                f.write(secrets.token_hex(32) + "\n")
                f.flush()
                os.fsync(f.fileno())
            os.link(tmp, path)
        except FileExistsError:
            pass  # another worker made it first: use that one
        finally:
            tmp.unlink(missing_ok=True)
        log.warning("DECARB_SECRET_KEY is not set: made a session key in %s (set DECARB_SECRET_KEY in production)",
                    path)
    else:
        log.warning("DECARB_SECRET_KEY is not set: signing sessions with the key in %s", path)
    key = path.read_text(encoding="ascii").strip()
    if len(key) < MIN_SECRET_KEY_CHARS:
        raise ConfigurationError(f"{path} holds a key shorter than {MIN_SECRET_KEY_CHARS} characters: delete it "
                                 "and start again to make a new one, or set DECARB_SECRET_KEY")
    return key


@dataclass(frozen=True)
class ServiceOwner:
    """Who runs the service and how users reach them, as the footer and the service pages state it.

    ``owner``/``owner_cy`` and ``controller``/``controller_cy`` are None where unset: the pages then say the
    default ("Welsh Government", in the page's language). ``contact_email`` None: no address is set, and the
    pages say so rather than show one nobody reads.
    """

    contact_email: str | None
    owner: str | None
    owner_cy: str | None
    controller: str | None
    controller_cy: str | None


def service_owner() -> ServiceOwner:
    """Return ``DECARB_CONTACT_EMAIL``, ``DECARB_SERVICE_OWNER`` (+ ``_CY``) and ``DECARB_DATA_CONTROLLER`` (+ ``_CY``).

    A Welsh name left unset is the English one; the data controller left unset is the service owner.
    """

    def setting(name: str) -> str | None:
        return (os.environ.get(name) or "").strip() or None

    owner = setting("DECARB_SERVICE_OWNER")
    controller = setting("DECARB_DATA_CONTROLLER")
    return ServiceOwner(
        contact_email=setting("DECARB_CONTACT_EMAIL"),
        owner=owner,
        owner_cy=setting("DECARB_SERVICE_OWNER_CY") or owner,
        controller=controller or owner,
        controller_cy=setting("DECARB_DATA_CONTROLLER_CY") or controller or setting("DECARB_SERVICE_OWNER_CY") or owner,
    )


#: The licence open data is published under unless the deployment sets another (``DECARB_DATA_LICENCE``).
DEFAULT_DATA_LICENCE = "Open Government Licence v3.0"
DEFAULT_DATA_LICENCE_CY = "Trwydded Llywodraeth Agored v3.0"
DEFAULT_DATA_LICENCE_URL = "https://www.nationalarchives.gov.uk/doc/open-government-licence/version/3/"


def data_licence(lang: str = "en") -> tuple[str, str]:
    """Return (name in ``lang``, address) of the licence the open data is published under.

    ``DECARB_DATA_LICENCE`` (Welsh: ``DECARB_DATA_LICENCE_CY``, else the same) and
    ``DECARB_DATA_LICENCE_URL``; unset, the Open Government Licence v3.0.
    """
    name = os.environ.get("DECARB_DATA_LICENCE", "").strip()
    url = os.environ.get("DECARB_DATA_LICENCE_URL", "").strip()
    if not name:
        return (DEFAULT_DATA_LICENCE_CY if lang == "cy" else DEFAULT_DATA_LICENCE), url or DEFAULT_DATA_LICENCE_URL
    welsh = os.environ.get("DECARB_DATA_LICENCE_CY", "").strip()
    return (welsh or name) if lang == "cy" else name, url


#: How many requests one client may make of /api/v1/ (Flask-Limiter's notation), unless DECARB_API_RATE_LIMIT says.
API_RATE_LIMIT = "120 per minute"


def api_rate_limit() -> str:
    """Return the API's rate limit per client (``DECARB_API_RATE_LIMIT``, e.g. ``60 per minute;1000 per day``)."""
    from limits import parse_many

    raw = os.environ.get("DECARB_API_RATE_LIMIT", "").strip() or API_RATE_LIMIT
    try:
        parse_many(raw)
    except ValueError:
        raise ConfigurationError(f"DECARB_API_RATE_LIMIT is {raw!r}: write it as a count per period, such as "
                                 "'120 per minute' or '60 per minute;1000 per day', or unset it") from None
    return raw


def warm_pages() -> bool:
    """Whether the app works out its public pages' figures before anyone asks (``DECARB_WARM_PAGES``, default on).

    On: at start-up and after each change to the store, a thread of each process draws the public
    pages as a first visitor would see them (:mod:`decarb_dashboard.web.warm`). ``0`` turns it off
    (the test suite, which starts many apps, does).
    """
    raw = os.environ.get("DECARB_WARM_PAGES", "").strip().lower()
    if raw in ("", "1", "true", "yes", "on"):
        return True
    if raw in ("0", "false", "no", "off"):
        return False
    raise ConfigurationError(f"DECARB_WARM_PAGES is {raw!r}: set it to 1 (work the pages out ahead, the default) "
                             f"or 0 (work each out when first asked)")


#: How often (seconds) each process looks at the store's version, unless DECARB_PROPAGATION_INTERVAL_S says.
PROPAGATION_INTERVAL_S = 0.5


def propagation_interval_s() -> float:
    """Return how often, in seconds, each process reads the store's version (``DECARB_PROPAGATION_INTERVAL_S``).

    A thread of each process reads it (one query of three indexed maxima) this often and, when
    it has changed (a submission or a status change through any server, a change of the
    register), rebuilds the engine in the background and draws the pages again
    (:mod:`decarb_dashboard.web.propagation`): a change made through one server shows on every
    server within this plus one rebuild. Requests are served from the engine before meanwhile
    and never read the version themselves. ``0`` turns the thread off: then each request reads
    the version and the engine is rebuilt at most every 10 s (the test suite, which starts many
    apps, does this).
    """
    raw = os.environ.get("DECARB_PROPAGATION_INTERVAL_S", "").strip()
    if not raw:
        return PROPAGATION_INTERVAL_S
    try:
        seconds = float(raw)
    except ValueError:
        seconds = -1.0
    if not (seconds == 0 or 0.1 <= seconds <= 60):  # NaN is neither
        raise ConfigurationError(f"DECARB_PROPAGATION_INTERVAL_S is {raw!r}: set it to a number of seconds from 0.1 "
                                 f"to 60 (how often each server looks for a change in the store; default "
                                 f"{PROPAGATION_INTERVAL_S}), or 0 to check on each request instead")
    return seconds


#: A completed project whose category fell by less than this share (per cent) of its expected yearly saving is
#: flagged (decarb_dashboard.plan), unless DECARB_REALISED_FLAG_PCT says otherwise. A choice, not a published rule.
REALISED_FLAG_PCT = 50.0


def realised_flag_pct() -> float:
    """Return the share (per cent) of a completed project's expected saving below which its realised saving is
    flagged (``DECARB_REALISED_FLAG_PCT``, 0 to 100; 0 flags nothing)."""
    raw = os.environ.get("DECARB_REALISED_FLAG_PCT", "").strip()
    if not raw:
        return REALISED_FLAG_PCT
    try:
        pct = float(raw)
    except ValueError:
        pct = -1.0
    if not 0 <= pct <= 100:  # NaN is neither
        raise ConfigurationError(f"DECARB_REALISED_FLAG_PCT is {raw!r}: set it to a share from 0 to 100 (per cent of "
                                 f"a completed project's expected saving below which its realised saving is flagged; "
                                 f"default {REALISED_FLAG_PCT:g}), or unset it")
    return pct
