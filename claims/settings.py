"""The one settings object: environment variables (``CLAIMBOT_*``) over ``config/settings.toml``.

Built once in ``main()`` (or by a test) and passed down; nothing reads the environment at import time.

Where the TOML files come from: the repository's ``config/`` folder is the one source of the
defaults. A wheel carries it as ``claims/defaults/`` (``setup.py`` maps the folder into the package),
so an installed claimbot finds its defaults without the repository. A deployment overrides any of the
files with a folder of its own: ``CLAIMBOT_CONFIG_DIR``, else ``config/`` in the working directory;
a file the override folder lacks is read from the defaults.
"""

from __future__ import annotations

import hashlib
import os
import re
from pathlib import Path
from typing import Annotated, Any
from urllib.parse import urlsplit

from pydantic import Field, SecretStr, ValidationInfo, field_validator
from pydantic_settings import (
    BaseSettings,
    NoDecode,
    PydanticBaseSettingsSource,
    SettingsConfigDict,
    TomlConfigSettingsSource,
)
from sqlalchemy.engine import make_url
from sqlalchemy.exc import ArgumentError

from claims.times import is_iana_zone

_PACKAGE = Path(__file__).resolve().parent
PACKAGED_CONFIG_DIR = _PACKAGE / "defaults"
"""The wheel's copy of ``config/`` (absent in a source checkout, which reads ``config/`` itself)."""

#: The default settings and editable data (topics, speakers, synonyms) this claimbot ships with.
DEFAULT_CONFIG_DIR = PACKAGED_CONFIG_DIR if PACKAGED_CONFIG_DIR.is_dir() else _PACKAGE.parent / "config"

_PLACEHOLDER_TOKENS = {"", "changeme", "your-token-here", "token", "xxx", "<token>"}


def redact_url_credentials(url: str) -> str:
    """``url`` with any ``user:password@`` removed, for logs and messages."""
    scheme, sep, rest = url.partition("://")
    if not sep:
        return url
    netloc, slash, path = rest.partition("/")
    return f"{scheme}://{netloc.rsplit('@', 1)[-1]}{slash}{path}"


def _postgres_driver(url: str) -> str:
    """``postgres://`` and ``postgresql://`` use psycopg 3, the driver claimbot installs."""
    for prefix in ("postgres://", "postgresql://"):
        if url.startswith(prefix):
            return "postgresql+psycopg://" + url[len(prefix):]
    return url


def config_dir() -> Path:
    """The folder whose TOML files override the defaults: ``CLAIMBOT_CONFIG_DIR``, else ``config/``
    in the working directory, else the defaults themselves."""
    if chosen := os.environ.get("CLAIMBOT_CONFIG_DIR"):
        return Path(chosen)
    local = Path.cwd() / "config"
    return local if local.is_dir() else DEFAULT_CONFIG_DIR


def config_file(folder: Path, name: str) -> Path:
    """``name`` from ``folder`` when it has one, else the shipped default, so an override folder
    need only hold the files it changes."""
    path = folder / name
    return path if path.is_file() else DEFAULT_CONFIG_DIR / name


class Settings(BaseSettings):
    """Everything claimbot can be configured with; see ``config/settings.toml`` for the defaults."""

    model_config = SettingsConfigDict(env_prefix="CLAIMBOT_", extra="ignore")

    database_url: str = "sqlite:///claimbot.db"
    database_busy_seconds: float = Field(default=10.0, ge=0, le=600)
    telegram_token: SecretStr | None = None
    telegram_api_url: str = "https://api.telegram.org"
    admin_ids: Annotated[frozenset[int], NoDecode] = Field(default_factory=frozenset)
    timezone: str = "UTC"
    fetch_timeout_seconds: float = Field(default=15.0, gt=0)
    fetch_deadline_seconds: float = Field(default=20.0, gt=0)
    fetch_max_bytes: int = Field(default=5_000_000, gt=0)
    user_agent: str = "claimbot/0.1"
    allow_private_urls: bool = False
    max_article_chars: int = 500_000
    webhook_secret: SecretStr | None = None
    index_catch_up_seconds: float = Field(default=2.0, gt=0)
    index_dir: Path | None = None
    index_save_minutes: float = Field(default=10.0, gt=0)
    digest_check_seconds: float = Field(default=30.0, gt=0)
    digest_grace_minutes: float = Field(default=180.0, ge=0)
    digest_messages_per_second: float = Field(default=25.0, gt=0, le=30)
    feed_poll_minutes: float = Field(default=15.0, gt=0)
    claimreview_publisher: str = Field(default="claimbot", min_length=1, max_length=200)
    claimreview_publisher_url: str | None = None
    claim_url_template: str | None = None
    web_base_url: str | None = None
    """The public root of the fact-check pages (``claimbot web``), e.g. ``https://factcheck.example.org``."""
    web_cache_seconds: float = Field(default=60.0, ge=0)
    """The longest the front page's topics and the sitemap are reused while no claim changed
    (``claims.service.memo``); 0 reads them afresh for every request."""
    max_subscriptions_per_chat: int = Field(default=50, ge=1, le=10_000)
    # The tipline (claims.tipline): posts, links, inline answers and unanswered questions.
    asker_salt: SecretStr | None = None
    post_min_chars: int = Field(default=280, ge=40)
    inline_cache_seconds: int = Field(default=30, ge=0, le=3600)
    unanswered_digest: str = ""
    # Semantic matching (claims.search.encoder), with the claimbot[semantic] extra: a
    # sentence-transformers model name or local folder, or "off".
    semantic_model: str = "sentence-transformers/all-MiniLM-L6-v2"
    semantic_threads: int = Field(default=1, ge=1, le=64)
    config_dir: Path = Field(default_factory=config_dir)
    # Files claimbot creates (the SQLite database and its journal, index snapshots, claim vectors,
    # exports) hold readers' questions and posts: private to the operator's user unless widened here.
    umask: str = Field(default="077", pattern=r"^0?[0-7]{3}$")
    # Readers' questions, posts and links are deleted this many days after they came (off: kept).
    retention_days: int | None = Field(default=None, ge=1, le=36_500)

    @classmethod
    def settings_customise_sources(
        cls,
        settings_cls: type[BaseSettings],
        init_settings: PydanticBaseSettingsSource,
        env_settings: PydanticBaseSettingsSource,
        dotenv_settings: PydanticBaseSettingsSource,
        file_secret_settings: PydanticBaseSettingsSource,
    ) -> tuple[PydanticBaseSettingsSource, ...]:
        """Environment beats the TOML file; explicit constructor arguments beat both."""
        toml = TomlConfigSettingsSource(settings_cls, toml_file=config_file(config_dir(), "settings.toml"))
        return (init_settings, env_settings, toml)

    def apply_umask(self) -> None:
        """Make the files and folders this process creates from now on follow ``umask`` ("077":
        files 0600, folders 0700). A process-wide setting, so the entry point calls it once: it also
        covers files that SQLite and other libraries create on claimbot's behalf."""
        os.umask(int(self.umask, 8))

    @field_validator("admin_ids", mode="before")
    @classmethod
    def _parse_admin_ids(cls, value: Any) -> Any:
        """Accept ``"1, 2,3"`` from the environment as well as a list from TOML."""
        if isinstance(value, str):
            parts = [p.strip() for p in value.replace(";", ",").split(",")]
            try:
                return frozenset(int(p) for p in parts if p)
            except ValueError as exc:
                raise ValueError("admin_ids must be comma-separated Telegram user ids") from exc
        if isinstance(value, int):
            return frozenset({value})
        return value

    @field_validator("telegram_token", mode="before")
    @classmethod
    def _refuse_placeholder_token(cls, value: Any) -> Any:
        """An empty or example token is treated as no token, so the error names the real problem."""
        raw = value.get_secret_value() if isinstance(value, SecretStr) else value
        if raw is None or str(raw).strip().lower() in _PLACEHOLDER_TOKENS:
            return None
        return value

    @field_validator("config_dir")
    @classmethod
    def _existing_folder(cls, value: Path) -> Path:
        """A mistyped ``CLAIMBOT_CONFIG_DIR`` must not silently fall back to the defaults."""
        if not value.is_dir():
            raise ValueError(f"{value} is not a folder")
        return value

    @field_validator("claimreview_publisher_url", "claim_url_template", "web_base_url", mode="before")
    @classmethod
    def _web_address(cls, value: Any, info: ValidationInfo) -> Any:
        """ClaimReview links must be absolute web addresses; the template must say where the id goes."""
        if value is None or (isinstance(value, str) and not value.strip()):
            return None
        text = str(value).strip()
        if not text.startswith(("https://", "http://")):
            raise ValueError("must be an http(s):// address")
        if info.field_name == "claim_url_template" and "{id}" not in text:
            raise ValueError("must contain {id} where the claim number goes")
        if info.field_name == "web_base_url":
            return text.rstrip("/")
        return text

    @field_validator("asker_salt", mode="before")
    @classmethod
    def _empty_salt_is_none(cls, value: Any) -> Any:
        """An empty salt means "derive it from the token", not a salt of nothing."""
        raw = value.get_secret_value() if isinstance(value, SecretStr) else value
        return None if raw is None or not str(raw).strip() else value

    @field_validator("unanswered_digest")
    @classmethod
    def _digest_slot(cls, value: str) -> str:
        """``"monday 09:00"`` (a weekday and a time), or empty or ``off`` for no digest."""
        value = " ".join(value.lower().split())
        if value in {"", "off", "none", "no", "false"}:
            return ""
        if not re.fullmatch(r"(mon|tue|wed|thu|fri|sat|sun)[a-z]* ([01]?[0-9]|2[0-3])[:.h][0-5][0-9]", value):
            raise ValueError('unanswered_digest must be a weekday and a time, e.g. "monday 09:00", or "off"')
        return value

    @field_validator("telegram_api_url")
    @classmethod
    def _strip_slash(cls, value: str) -> str:
        parts = urlsplit(value)
        if parts.scheme not in {"http", "https"} or not parts.hostname:
            raise ValueError("must be an http(s) URL such as https://api.telegram.org")
        return value.rstrip("/")

    @field_validator("timezone")
    @classmethod
    def _iana_timezone(cls, value: str) -> str:
        """Only real IANA names: ``localtime`` means whatever the host is set to, ``Factory`` none."""
        if not is_iana_zone(value):
            raise ValueError(f"{value[:40]!r} is not an IANA time zone name (such as Europe/Berlin)")
        return value

    @field_validator("database_url")
    @classmethod
    def _known_database(cls, value: str) -> str:
        """``sqlite:///PATH`` or a PostgreSQL URL (``postgres://`` as Heroku writes it is accepted);
        anything else is refused here rather than as a driver traceback later."""
        url = _postgres_driver(value.strip())
        try:
            parsed = make_url(url)
        except ArgumentError:
            raise ValueError("is not a database URL; use sqlite:///PATH or "
                             "postgresql://USER@HOST/DATABASE") from None
        except ValueError:
            raise ValueError("has an invalid port or address") from None
        if parsed.get_backend_name() not in {"sqlite", "postgresql"}:
            raise ValueError(f"names the database {parsed.get_backend_name()[:20]!r}; claimbot "
                             "supports sqlite:///PATH and postgresql://USER@HOST/DATABASE")
        return url

    def claim_page_template(self) -> str | None:
        """Where each claim's fact-check page is (``{id}`` for its number): the explicit template,
        else the claim pages of ``claimbot web`` under ``web_base_url``, else nowhere."""
        if self.claim_url_template:
            return self.claim_url_template
        return f"{self.web_base_url}/claims/{{id}}" if self.web_base_url else None

    def telegram_api_url_for_logs(self) -> str:
        """The Bot API URL without credentials (``https://user:pass@host`` shows as ``https://host``)."""
        return redact_url_credentials(self.telegram_api_url)

    def index_snapshot(self) -> Path | None:
        """Where the index is saved between runs: in ``index_dir`` if set, else beside a SQLite
        database file, else (PostgreSQL) in the user's cache folder. ``None`` for an in-memory store.

        The file name carries a digest of the database address, so two stores never share one."""
        url = self.resolved_database_url()
        if ":memory:" in url or url in {"sqlite://", "sqlite:///"}:
            return None
        name = "claimbot-" + hashlib.sha256(redact_url_credentials(url).encode()).hexdigest()[:12] + ".index"
        if self.index_dir is not None:
            return self.index_dir / name
        if url.startswith("sqlite:///"):
            database = Path(url[len("sqlite:///"):].split("?")[0])
            return database.with_name(database.name + ".index")
        cache = Path(os.environ.get("XDG_CACHE_HOME") or Path.home() / ".cache")
        return cache / "claimbot" / name

    def resolved_database_url(self) -> str:
        """The database URL with a relative SQLite path pinned to the working directory."""
        url = self.database_url
        prefix = "sqlite:///"
        if url.startswith(prefix) and not url.startswith(prefix + "/") and ":memory:" not in url:
            path = url[len(prefix) :]
            return prefix + str(Path.cwd() / path)
        return url
