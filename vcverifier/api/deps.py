"""What request handlers need, built once per app in its lifespan and read from `app.state`."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Annotated

from fastapi import Depends, Request

from vcverifier.cache import StateStore
from vcverifier.challenges import ChallengeStore
from vcverifier.config import Settings
from vcverifier.metrics import Metrics
from vcverifier.verifier import Verifier


@dataclass(frozen=True, slots=True)
class Services:
    settings: Settings
    verifier: Verifier
    store: StateStore
    challenges: ChallengeStore
    metrics: Metrics
    state_backend: str  # "redis" or "memory", for /readyz


async def services(request: Request) -> Services:
    """The app's `Services` (a FastAPI dependency; async, so FastAPI calls it in the event loop
    rather than handing it to a worker thread on every request)."""
    found: Services = request.app.state.services
    return found


ServicesDep = Annotated[Services, Depends(services)]
