"""Run the service with uvicorn: `run(settings, host=..., port=..., workers=...)`.

uvicorn runs in factory mode (`vcverifier.serve:app_from_env`), so every worker process builds
its own app from `VCVERIFIER_*` environment variables. `run` first writes the given settings
into this process's environment (worker processes inherit it), so settings built in code reach
every worker. With several workers, share state through `VCVERIFIER_REDIS_URL`: without Redis
each worker has its own in-process challenge store, so a challenge issued by one worker is
unknown to the others (a warning is logged).
"""

from __future__ import annotations

import logging
import os
from pathlib import Path
from typing import Any

from fastapi import FastAPI

from vcverifier.config import Settings

log = logging.getLogger("vcverifier")

FACTORY = "vcverifier.serve:app_from_env"
_ENV_PREFIX = "VCVERIFIER_"


def configure_logging(settings: Settings) -> None:
    """Send the package's logs to stderr at `VCVERIFIER_LOG_LEVEL` (uvicorn configures only its
    own loggers). Leaves a logger that already has handlers alone."""
    logger = logging.getLogger("vcverifier")
    logger.setLevel(settings.log_level.upper())
    if not logger.handlers:
        handler = logging.StreamHandler()
        handler.setFormatter(logging.Formatter("%(levelname)s:     %(name)s: %(message)s"))
        logger.addHandler(handler)
        logger.propagate = False


def app_from_env() -> FastAPI:
    """The uvicorn factory: an app from the environment's settings."""
    from vcverifier.api.app import create_app

    overrides: dict[str, Any] = {}  # everything from VCVERIFIER_* variables
    settings = Settings(**overrides)
    configure_logging(settings)
    return create_app(settings)


def _env_value(value: Any) -> str:
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, list | tuple):
        return ",".join(str(v) for v in value)
    if isinstance(value, Path):
        return str(value)
    return str(value)


def settings_to_env(settings: Settings) -> dict[str, str]:
    """`VCVERIFIER_*` variables that reproduce `settings` (unset ones are left out)."""
    out: dict[str, str] = {}
    for name, value in settings.model_dump().items():
        if value is None:
            continue
        out[_ENV_PREFIX + name.upper()] = _env_value(value)
    return out


def run(settings: Settings, *, host: str, port: int, workers: int = 1) -> None:
    """Serve until interrupted. Blocks; returns when uvicorn stops."""
    import uvicorn

    if workers > 1 and not settings.redis_url:
        log.warning(
            "%d workers without VCVERIFIER_REDIS_URL: challenges are not shared between workers",
            workers,
        )
    os.environ.update(settings_to_env(settings))
    level = logging.getLevelName(settings.log_level.upper())
    uvicorn.run(
        FACTORY,
        factory=True,
        host=host,
        port=port,
        workers=workers,
        log_level=settings.log_level.lower(),
        # uvicorn formats an access line for every request before its logger drops it; at a
        # level that hides them, do not ask for them (the same output, a little less work).
        access_log=not isinstance(level, int) or level <= logging.INFO,
        server_header=False,
        proxy_headers=False,
        timeout_graceful_shutdown=10,
    )
