"""The one settings object: environment variables (``CLAIMBOT_*``) over ``config/settings.toml``.

Built once in ``main()`` (or by a test) and passed down; nothing reads the environment at import time.
"""

from __future__ import annotations

import os
from pathlib import Path
from typing import Annotated, Any

from pydantic import Field, SecretStr, field_validator
from pydantic_settings import (
    BaseSettings,
    NoDecode,
    PydanticBaseSettingsSource,
    SettingsConfigDict,
    TomlConfigSettingsSource,
)

#: The repository's ``config/`` folder: default settings and editable data (topics, speakers).
DEFAULT_CONFIG_DIR = Path(__file__).resolve().parent.parent / "config"

_PLACEHOLDER_TOKENS = {"", "changeme", "your-token-here", "token", "xxx", "<token>"}


def config_dir() -> Path:
    """Where the TOML files live; ``CLAIMBOT_CONFIG_DIR`` lets a deployment keep its own copy."""
    return Path(os.environ.get("CLAIMBOT_CONFIG_DIR") or DEFAULT_CONFIG_DIR)


class Settings(BaseSettings):
    """Everything claimbot can be configured with; see ``config/settings.toml`` for the defaults."""

    model_config = SettingsConfigDict(env_prefix="CLAIMBOT_", extra="ignore")

    database_url: str = "sqlite:///claimbot.db"
    telegram_token: SecretStr | None = None
    telegram_api_url: str = "https://api.telegram.org"
    admin_ids: Annotated[frozenset[int], NoDecode] = Field(default_factory=frozenset)
    timezone: str = "UTC"
    fetch_timeout_seconds: float = 15.0
    fetch_max_bytes: int = 5_000_000
    user_agent: str = "claimbot/0.1"
    allow_private_urls: bool = False
    max_article_chars: int = 500_000
    webhook_secret: SecretStr | None = None
    index_catch_up_seconds: float = Field(default=2.0, gt=0)
    digest_check_seconds: float = Field(default=30.0, gt=0)
    digest_grace_minutes: float = Field(default=180.0, ge=0)
    digest_messages_per_second: float = Field(default=25.0, gt=0, le=30)
    feed_poll_minutes: float = Field(default=15.0, gt=0)
    config_dir: Path = Field(default_factory=config_dir)

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
        toml = TomlConfigSettingsSource(settings_cls, toml_file=config_dir() / "settings.toml")
        return (init_settings, env_settings, toml)

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

    @field_validator("telegram_api_url")
    @classmethod
    def _strip_slash(cls, value: str) -> str:
        return value.rstrip("/")

    def resolved_database_url(self) -> str:
        """The database URL with a relative SQLite path pinned to the working directory."""
        url = self.database_url
        prefix = "sqlite:///"
        if url.startswith(prefix) and not url.startswith(prefix + "/") and ":memory:" not in url:
            path = url[len(prefix) :]
            return prefix + str(Path.cwd() / path)
        return url
