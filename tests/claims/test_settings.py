"""The one settings object: environment over config/settings.toml, secrets kept secret."""

from __future__ import annotations

from pathlib import Path

import pytest
from pydantic import ValidationError

from claims.settings import Settings

TOKEN = "123456:ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghi"


@pytest.fixture(autouse=True)
def clean_env(monkeypatch: pytest.MonkeyPatch) -> None:
    import os

    for key in list(os.environ):
        if key.startswith("CLAIMBOT_"):
            monkeypatch.delenv(key)


def test_defaults_come_from_the_toml_file() -> None:
    s = Settings()
    assert s.telegram_api_url == "https://api.telegram.org"
    assert s.digest_messages_per_second == 25
    assert s.admin_ids == frozenset()
    assert s.telegram_token is None


def test_environment_overrides_the_file(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("CLAIMBOT_DATABASE_URL", "sqlite:///other.db")
    monkeypatch.setenv("CLAIMBOT_ADMIN_IDS", " 11, 22 ,33")
    monkeypatch.setenv("CLAIMBOT_TELEGRAM_API_URL", "http://127.0.0.1:8081/")
    monkeypatch.setenv("CLAIMBOT_FEED_POLL_MINUTES", "5")
    s = Settings()
    assert s.database_url == "sqlite:///other.db"
    assert s.admin_ids == frozenset({11, 22, 33})
    assert s.telegram_api_url == "http://127.0.0.1:8081"
    assert s.feed_poll_minutes == 5


def test_the_token_never_shows(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("CLAIMBOT_TELEGRAM_TOKEN", TOKEN)
    s = Settings()
    assert s.telegram_token is not None and s.telegram_token.get_secret_value() == TOKEN
    assert TOKEN not in repr(s) and TOKEN not in str(s) and TOKEN not in str(s.model_dump())


@pytest.mark.parametrize("placeholder", ["", "changeme", "your-token-here"])
def test_placeholder_tokens_count_as_none(monkeypatch: pytest.MonkeyPatch, placeholder: str) -> None:
    monkeypatch.setenv("CLAIMBOT_TELEGRAM_TOKEN", placeholder)
    assert Settings().telegram_token is None


@pytest.mark.parametrize(
    ("key", "value"),
    [("CLAIMBOT_ADMIN_IDS", "alice,bob"), ("CLAIMBOT_DIGEST_MESSAGES_PER_SECOND", "100"),
     ("CLAIMBOT_FETCH_TIMEOUT_SECONDS", "soon")],
)
def test_bad_values_are_refused(monkeypatch: pytest.MonkeyPatch, key: str, value: str) -> None:
    monkeypatch.setenv(key, value)
    with pytest.raises(ValidationError):
        Settings()


def test_relative_sqlite_path_is_pinned_to_the_working_directory(tmp_path, monkeypatch) -> None:
    monkeypatch.chdir(tmp_path)
    assert Settings().resolved_database_url() == f"sqlite:///{tmp_path / 'claimbot.db'}"


def test_a_config_folder_overrides_the_shipped_defaults_file_by_file(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from claims.catalog import load_catalog
    from claims.settings import DEFAULT_CONFIG_DIR

    work = tmp_path
    monkeypatch.chdir(work)
    assert Settings().config_dir == DEFAULT_CONFIG_DIR  # nothing here: the shipped defaults
    local = work / "config"
    local.mkdir()
    (local / "settings.toml").write_text('timezone = "Europe/Berlin"\n')
    (local / "topics.toml").write_text('[[topic]]\nslug = "space"\nname = "Space"\nkeywords = ["Mars"]\n')
    s = Settings()
    assert s.config_dir == local and s.timezone == "Europe/Berlin"
    catalog = load_catalog(s.config_dir)
    assert [t.slug for t in catalog.topics] == ["space"]  # from config/ in the working directory
    assert catalog.speaker_by_alias("Zelenskyy") is not None  # speakers.toml: the shipped default
    elsewhere = work / "deploy"
    elsewhere.mkdir()
    (elsewhere / "settings.toml").write_text('timezone = "Asia/Tokyo"\n')
    monkeypatch.setenv("CLAIMBOT_CONFIG_DIR", str(elsewhere))
    assert Settings().timezone == "Asia/Tokyo"  # the variable beats the working directory
    monkeypatch.setenv("CLAIMBOT_CONFIG_DIR", str(work / "typo"))
    with pytest.raises(ValidationError, match="is not a folder"):
        Settings()


def test_claim_pages_come_from_the_template_else_the_web_base_url(tmp_path: Path) -> None:
    base = Settings(database_url=f"sqlite:///{tmp_path}/x.db", web_base_url="https://fc.example.org/")
    assert base.web_base_url == "https://fc.example.org"
    assert base.claim_page_template() == "https://fc.example.org/claims/{id}"
    both = Settings(database_url=f"sqlite:///{tmp_path}/x.db", web_base_url="https://fc.example.org",
                    claim_url_template="https://elsewhere.example/c/{id}")
    assert both.claim_page_template() == "https://elsewhere.example/c/{id}"
    assert Settings(database_url=f"sqlite:///{tmp_path}/x.db").claim_page_template() is None
    with pytest.raises(ValidationError):
        Settings(web_base_url="factcheck.example.org")
