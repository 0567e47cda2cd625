"""Settings read from the environment, with the defaults a fresh machine needs."""

from __future__ import annotations

import os
from dataclasses import dataclass
from pathlib import Path

DEFAULT_DATA_DIR = Path("var/decarb-data")
DEFAULT_MAX_UPLOAD_MB = 10.0
#: Excel's own row limit; a return never needs more.
DEFAULT_MAX_ROWS = 1_048_576
#: A return has 11 columns; a sheet with hundreds is not a return.
DEFAULT_MAX_COLUMNS = 200


class ConfigurationError(RuntimeError):
    """The environment does not allow the app to start safely; the message says what to set."""


def data_dir() -> Path:
    """Return the data directory: ``$DECARB_DATA_DIR`` or ``./var/decarb-data``."""
    return Path(os.environ.get("DECARB_DATA_DIR") or DEFAULT_DATA_DIR)


def max_upload_bytes() -> int:
    """Return the largest upload accepted, in bytes (``$DECARB_MAX_UPLOAD_MB``, default 10 MB)."""
    raw = os.environ.get("DECARB_MAX_UPLOAD_MB")
    try:
        megabytes = float(raw) if raw else DEFAULT_MAX_UPLOAD_MB
    except ValueError:
        megabytes = DEFAULT_MAX_UPLOAD_MB
    return round(megabytes * 1024 * 1024)


@dataclass(frozen=True)
class WebSettings:
    """How the web app is deployed (the variables are documented in the README)."""

    production: bool  #: ``DECARB_ENV=production``
    secret_key: str  #: ``DECARB_SECRET_KEY``; empty: a random key per process
    trust_proxy: bool  #: ``DECARB_TRUST_PROXY``: behind one reverse proxy
    trusted_user_header: str | None  #: ``DECARB_TRUSTED_USER_HEADER``: single sign-on through a proxy
    demo_accounts: bool  #: ``DECARB_DEMO_ACCOUNTS``


def web_settings() -> WebSettings:
    """Return the web app's settings, or raise ConfigurationError for a production set-up that is not safe."""
    settings = WebSettings(
        production=os.environ.get("DECARB_ENV", "").strip().lower() == "production",
        secret_key=os.environ.get("DECARB_SECRET_KEY", ""),
        trust_proxy=bool(os.environ.get("DECARB_TRUST_PROXY")),
        trusted_user_header=os.environ.get("DECARB_TRUSTED_USER_HEADER") or None,
        demo_accounts=bool(os.environ.get("DECARB_DEMO_ACCOUNTS")),
    )
    if settings.production and len(settings.secret_key) < 32:
        raise ConfigurationError(
            "DECARB_ENV is production but DECARB_SECRET_KEY is not set (or shorter than 32 characters): "
            "set it to a long random value shared by every worker, e.g. from `python -c \"import secrets; "
            "print(secrets.token_hex(32))\"`"
        )
    if settings.production and settings.demo_accounts:
        raise ConfigurationError("DECARB_DEMO_ACCOUNTS is set: demo accounts have published passwords and "
                                 "are refused in production; unset it and add accounts with `decarb users add`")
    return settings
