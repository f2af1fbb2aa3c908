"""`POST /challenges`: a fresh one-time challenge for a presentation (VC API)."""

from __future__ import annotations

from fastapi import APIRouter
from fastapi.responses import JSONResponse
from starlette.responses import Response

from vcverifier.api.deps import ServicesDep
from vcverifier.api.models import ChallengeResponse


def build_router() -> APIRouter:
    router = APIRouter(tags=["verification"])

    @router.post(
        "/challenges",
        summary="Issue a one-time challenge",
        response_model=ChallengeResponse,
        responses={503: {"description": "the state back end (Redis) did not answer"}},
        name="issue_challenge",
    )
    async def issue_challenge(svc: ServicesDep) -> Response:
        """A random challenge, valid for VCVERIFIER_CHALLENGE_TTL_SECONDS. Pass it as
        `options.challenge` to `POST /presentations/verify`; it is accepted once."""
        issued = await svc.challenges.issue()
        svc.metrics.challenges_issued.inc()
        return JSONResponse(issued.to_json(), headers={"Cache-Control": "no-store"})

    return router
