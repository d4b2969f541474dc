"""Node settings: one typed class, built on demand from the node directory and the
environment — never at import time.

Precedence: explicit overrides (CLI flags, tests) > environment (``PUENTE_*``) >
``DIR/puente.toml`` > defaults. In production (``PUENTE_ENV=production``) the node
refuses to start with a missing or well-known secret, or with the SQLite default when
the operator asked for a multi-user backend.
"""

from __future__ import annotations

import os
import tomllib
from pathlib import Path
from typing import Any, Literal

from pydantic import BaseModel, Field, ValidationError, field_validator

from puente.errors import ConfigError
from puente.model.countries import country_code

CONFIG_FILE = "puente.toml"
SECRET_FILE = "secret.key"
DB_FILE = "node.db"
KEY_FILE = "node_ed25519.pem"
PUB_FILE = "node_ed25519.pub"
WEAK_SECRETS = {"", "changeme", "change-me", "secret", "puente", "development"}


class Settings(BaseModel):
    node_dir: Path
    country: str
    name: str = ""
    db_url: str = ""
    env: Literal["development", "test", "production"] = "development"
    lang: Literal["es", "en"] = "es"
    secret: str = Field(default="", repr=False)
    host: str = "127.0.0.1"
    port: int = 8700
    max_upload_mb: int = 100
    token_days: int = 90
    web_session_hours: float = Field(default=8.0, gt=0, le=24)  # idle expiry of UI sessions
    default_markings: dict[str, Any] = Field(default_factory=dict)

    @field_validator("country")
    @classmethod
    def _country(cls, value: str) -> str:
        return country_code(value)

    @property
    def database_url(self) -> str:
        return self.db_url or f"sqlite:///{self.node_dir / DB_FILE}"

    @property
    def key_path(self) -> Path:
        return self.node_dir / "keys" / KEY_FILE

    @property
    def public_key_path(self) -> Path:
        return self.node_dir / "keys" / PUB_FILE

    def check_production(self) -> None:
        if self.env != "production":
            return
        if self.secret.strip().lower() in WEAK_SECRETS or len(self.secret) < 32:
            raise ConfigError("error.config_weak_secret")


def _env_overrides() -> dict[str, Any]:
    mapping = {
        "PUENTE_DB_URL": "db_url",
        "PUENTE_ENV": "env",
        "PUENTE_LANG": "lang",
        "PUENTE_SECRET": "secret",
        "PUENTE_HOST": "host",
        "PUENTE_PORT": "port",
        "PUENTE_WEB_SESSION_HOURS": "web_session_hours",
    }
    return {field: os.environ[var] for var, field in mapping.items() if os.environ.get(var)}


def load_settings(node_dir: str | Path, **overrides: Any) -> Settings:
    """Read ``DIR/puente.toml``, apply environment and ``overrides`` (``None`` ignored)."""
    node = Path(node_dir).expanduser().resolve()
    config = node / CONFIG_FILE
    if not config.is_file():
        raise ConfigError("error.no_node", path=str(node))
    try:
        data: dict[str, Any] = tomllib.loads(config.read_text("utf-8"))
    except (tomllib.TOMLDecodeError, UnicodeDecodeError) as exc:
        raise ConfigError("error.config_file", path=str(config), reason=str(exc)) from exc
    secret_file = node / SECRET_FILE
    if secret_file.is_file():
        data.setdefault("secret", secret_file.read_text("utf-8").strip())
    data.update(_env_overrides())
    data.update({k: v for k, v in overrides.items() if v is not None})
    data["node_dir"] = node
    try:
        settings = Settings(**data)
    except ValidationError as exc:
        err = exc.errors()[0]
        raise ConfigError(
            "error.config_value", field=".".join(str(p) for p in err["loc"]), reason=err["msg"]
        ) from exc
    settings.check_production()
    return settings


def write_config(
    node: Path, country: str, name: str, db_url: str, default_markings: dict[str, Any]
) -> None:
    lines = [
        "# Puente node settings. Environment variables PUENTE_* override these.",
        f'country = "{country}"',
        f'name = "{name}"',
    ]
    if db_url:
        lines.append(f'db_url = "{db_url}"')
    lines.append("")
    lines.append("[default_markings]")
    for key, value in default_markings.items():
        if isinstance(value, bool):
            lines.append(f"{key} = {'true' if value else 'false'}")
        elif isinstance(value, list):
            lines.append(
                f"{key} = [{', '.join(repr(str(v)).replace(chr(39), chr(34)) for v in value)}]"
            )
        else:
            lines.append(f'{key} = "{value}"')
    (node / CONFIG_FILE).write_text("\n".join(lines) + "\n", "utf-8")
