"""The one settings class: environment variables and an optional `.env`, validated once."""

from __future__ import annotations

from pathlib import Path

from pydantic import Field, SecretStr, field_validator
from pydantic_settings import BaseSettings, SettingsConfigDict

_ROLES = ("learner", "manager", "admin")


class Settings(BaseSettings):
    """Every setting learnbot reads. Documented in the README's settings table.

    Secrets are `SecretStr`, so they never appear in reprs, logs or error messages.
    """

    model_config = SettingsConfigDict(env_file=".env", env_file_encoding="utf-8", extra="ignore")

    home: Path = Field(default=Path(".learnbot"), alias="LEARNBOT_HOME")
    database_url: str | None = Field(default=None, alias="DATABASE_URL")
    chroma_url: str | None = Field(default=None, alias="CHROMA_URL")
    llm: str | None = Field(default=None, alias="LEARNBOT_LLM")
    models_cache: Path | None = Field(default=None, alias="LEARNBOT_MODELS_DIR")
    max_upload_mb: float = Field(default=25.0, alias="LEARNBOT_MAX_UPLOAD_MB", gt=0)
    admins: str = Field(default="", alias="LEARNBOT_ADMINS")
    link_domains: str = Field(default="", alias="LEARNBOT_LINK_DOMAINS")
    log_level: str = Field(default="INFO", alias="LEARNBOT_LOG_LEVEL")
    mastery_threshold: float = Field(default=0.8, alias="LEARNBOT_MASTERY_THRESHOLD", gt=0, lt=1)
    coach: str = Field(default="", alias="LEARNBOT_COACH")
    # One person's events in line at once (the one being answered included); see README.
    learner_queue: int = Field(default=20, alias="LEARNBOT_LEARNER_QUEUE", ge=1, le=1000)
    fetch_allow_private: bool = Field(default=False, alias="LEARNBOT_FETCH_ALLOW_PRIVATE")
    fetch_timeout: float = Field(default=15.0, alias="LEARNBOT_FETCH_TIMEOUT", gt=0)
    privacy_salt: SecretStr | None = Field(default=None, alias="LEARNBOT_PRIVACY_SALT")
    secret_key: SecretStr | None = Field(default=None, alias="LEARNBOT_SECRET_KEY")
    old_secret_keys: SecretStr | None = Field(default=None, alias="LEARNBOT_OLD_SECRET_KEYS")
    xapi_base_iri: str = Field(default="https://learnbot.example/xapi", alias="LEARNBOT_XAPI_BASE")
    lrs_url: str | None = Field(default=None, alias="LRS_URL")
    lrs_username: str | None = Field(default=None, alias="LRS_USERNAME")
    lrs_password: SecretStr | None = Field(default=None, alias="LRS_PASSWORD")
    lrs_forward_seconds: float = Field(default=300.0, alias="LEARNBOT_LRS_FORWARD_SECONDS", ge=10)
    redis_url: str | None = Field(default=None, alias="REDIS_URL")
    org_name: str = Field(default="learnbot", alias="LEARNBOT_ORG_NAME", min_length=1)
    public_url: str | None = Field(default=None, alias="LEARNBOT_PUBLIC_URL")
    page_ttl_days: float = Field(default=7.0, alias="LEARNBOT_PAGE_TTL_DAYS", gt=0, le=366)

    calendar_allow_private: bool = Field(default=False, alias="LEARNBOT_CALENDAR_ALLOW_PRIVATE")
    calendar_max_mb: float = Field(default=2.0, alias="LEARNBOT_CALENDAR_MAX_MB", gt=0, le=50)
    calendar_horizon_days: int = Field(
        default=30, alias="LEARNBOT_CALENDAR_HORIZON_DAYS", ge=7, le=366
    )
    calendar_refresh_hours: float = Field(
        default=6.0, alias="LEARNBOT_CALENDAR_REFRESH_HOURS", gt=0
    )
    nudge_tick_seconds: float = Field(default=300.0, alias="LEARNBOT_NUDGE_TICK_SECONDS", ge=5)
    nudge_shards: int = Field(default=1, alias="LEARNBOT_NUDGE_SHARDS", ge=1, le=1024)
    nudge_lease_seconds: float = Field(default=120.0, alias="LEARNBOT_NUDGE_LEASE_SECONDS", ge=5)
    delivery_poll_seconds: float = Field(
        default=5.0, alias="LEARNBOT_DELIVERY_POLL_SECONDS", ge=0.1
    )
    delivery_lease_seconds: float = Field(
        default=120.0, alias="LEARNBOT_DELIVERY_LEASE_SECONDS", ge=2
    )
    # How long a replica holds a received Slack message or Teams activity (renewed every
    # third of it while the turn runs); a dead replica's are taken over after this long.
    event_lease_seconds: float = Field(
        default=60.0, alias="LEARNBOT_EVENT_LEASE_SECONDS", ge=5, le=3600
    )
    # Test hook only: seconds a worker waits after the platform accepted a nudge and before
    # it marks the row sent, so crash tests can kill it exactly there. Leave it at 0.
    test_pause_after_send: float = Field(
        default=0.0, alias="LEARNBOT_TEST_PAUSE_AFTER_SEND", ge=0, le=600
    )

    slack_bot_token: SecretStr | None = Field(default=None, alias="SLACK_BOT_TOKEN")
    slack_signing_secret: SecretStr | None = Field(default=None, alias="SLACK_SIGNING_SECRET")
    slack_app_token: SecretStr | None = Field(default=None, alias="SLACK_APP_TOKEN")
    slack_client_id: str | None = Field(default=None, alias="SLACK_CLIENT_ID")
    slack_client_secret: SecretStr | None = Field(default=None, alias="SLACK_CLIENT_SECRET")
    slack_api_url: str = Field(default="https://slack.com/api/", alias="SLACK_API_URL")

    microsoft_app_id: str | None = Field(default=None, alias="MICROSOFT_APP_ID")
    microsoft_app_password: SecretStr | None = Field(default=None, alias="MICROSOFT_APP_PASSWORD")
    microsoft_app_type: str = Field(default="SingleTenant", alias="MICROSOFT_APP_TYPE")
    microsoft_app_tenant_id: str | None = Field(default=None, alias="MICROSOFT_APP_TENANT_ID")
    teams_allowed_tenants: str = Field(default="", alias="LEARNBOT_TEAMS_ALLOWED_TENANTS")

    @field_validator("log_level")
    @classmethod
    def _known_level(cls, value: str) -> str:
        level = value.upper()
        if level not in {"DEBUG", "INFO", "WARNING", "ERROR"}:
            raise ValueError("must be one of DEBUG, INFO, WARNING, ERROR")
        return level

    @field_validator("public_url")
    @classmethod
    def _http_url(cls, value: str | None) -> str | None:
        if not value or not value.strip():
            return None
        url = value.strip().rstrip("/")
        if not url.lower().startswith(("https://", "http://")) or "?" in url or "#" in url:
            raise ValueError("must be an http(s) URL without query or fragment")
        return url

    @property
    def db_url(self) -> str:
        """The SQLAlchemy URL: DATABASE_URL, or a SQLite file in the data folder."""
        if self.database_url:
            return self.database_url
        return f"sqlite:///{(self.home / 'learnbot.db').resolve()}"

    @property
    def index_dir(self) -> Path:
        """Where the embedded vector index and lexical index live."""
        return self.home / "index"

    @property
    def models_dir(self) -> Path:
        """Where derived model files (the exported ONNX encoder) are cached."""
        return self.models_cache or self.home / "models"

    @property
    def max_upload_bytes(self) -> int:
        """The upload and ingestion size cap in bytes."""
        return int(self.max_upload_mb * 1024 * 1024)

    @property
    def calendar_max_bytes(self) -> int:
        """The size cap for an imported or fetched calendar, in bytes."""
        return int(self.calendar_max_mb * 1024 * 1024)

    @property
    def link_domain_set(self) -> frozenset[str]:
        """Email domains in LEARNBOT_LINK_DOMAINS (comma separated, lower case)."""
        parts = (p.strip().lower().lstrip("@") for p in self.link_domains.split(","))
        return frozenset(p for p in parts if p)

    @property
    def admin_handles(self) -> frozenset[str]:
        """User references listed in LEARNBOT_ADMINS (comma separated)."""
        return frozenset(part.strip() for part in self.admins.split(",") if part.strip())


def load_settings(**overrides: object) -> Settings:
    """Read settings from the environment and `.env`, with explicit overrides on top."""
    return Settings(**overrides)  # type: ignore[arg-type]


# The embedding stack must never reach a model hub, and Chroma must not send telemetry.
RUNTIME_ENV = {
    "HF_HUB_OFFLINE": "1",
    "HF_HUB_DISABLE_PROGRESS_BARS": "1",
    "TRANSFORMERS_VERBOSITY": "error",
    "TOKENIZERS_PARALLELISM": "false",
    "ANONYMIZED_TELEMETRY": "False",
    # BLAS threads fight over 2 cores on the small matrices of calibration and search.
    "OPENBLAS_NUM_THREADS": "1",
}


def apply_runtime_env() -> None:
    """Set the process environment the ML libraries read (without overriding the user's)."""
    import os

    for key, value in RUNTIME_ENV.items():
        os.environ.setdefault(key, value)
