"""Configuration from the environment and `.env`, read when a command starts, never at import."""

from __future__ import annotations

from pathlib import Path
from typing import Literal

from pydantic import AliasChoices, Field, SecretStr
from pydantic_settings import BaseSettings, SettingsConfigDict

from .corpus import DEFAULT_MAX_ARTICLE_BYTES

BUNDLED_MODEL = "all-MiniLM-L6-v2"


class Settings(BaseSettings):
    """Every tunable of articlebot. Environment variables carry the `ARTICLEBOT_` prefix."""

    model_config = SettingsConfigDict(
        env_prefix="ARTICLEBOT_",
        env_file=".env",
        env_file_encoding="utf-8",
        extra="ignore",
    )

    discord_token: SecretStr | None = Field(
        default=None,
        validation_alias=AliasChoices("DISCORD_TOKEN", "ARTICLEBOT_DISCORD_TOKEN"),
    )
    corpus_dir: Path = Path("corpus")
    # A larger article file is refused, naming the file, instead of running for minutes unseen.
    max_article_bytes: int = Field(default=DEFAULT_MAX_ARTICLE_BYTES, ge=1)
    index_dir: Path = Path("var/index")
    model: str = BUNDLED_MODEL
    log_level: str = "INFO"
    # Below this calibrated relevance the engine declines instead of quoting.
    min_relevance: float = Field(default=0.24, ge=0.0, le=1.0)
    answer_k: int = Field(default=3, ge=1, le=10)
    cooldown_rate: int = Field(default=5, ge=1)
    cooldown_seconds: float = Field(default=30.0, gt=0)
    button_timeout_seconds: float = Field(default=300.0, gt=0)
    torch_threads: int = Field(default=0, ge=0)
    # How questions are embedded: the index's ONNX export (fast start, no torch) when it has one.
    query_encoder: Literal["auto", "onnx", "sentence-transformers"] = "auto"
    # Concurrent questions arriving within this window are embedded in one call.
    batch_window_ms: float = Field(default=5.0, ge=0.0, le=1000.0)
