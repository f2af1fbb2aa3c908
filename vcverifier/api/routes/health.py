"""`/healthz` (the process answers), `/readyz` (its state back end answers), `/metrics`."""

from __future__ import annotations

import os

from fastapi import APIRouter
from fastapi.responses import JSONResponse
from starlette.responses import Response

from vcverifier.api.deps import ServicesDep
from vcverifier.api.problems import problem_response, unavailable


def build_router() -> APIRouter:
    router = APIRouter(tags=["operations"])

    @router.get("/healthz", summary="Liveness", name="healthz")
    async def healthz() -> Response:
        # The worker's process id tells operators (and tests) which worker answered.
        return JSONResponse({"status": "ok", "pid": os.getpid()})

    @router.get(
        "/readyz",
        summary="Readiness: the state back end answers",
        responses={503: {"description": "Redis is configured and does not answer"}},
        name="readyz",
    )
    async def readyz(svc: ServicesDep) -> Response:
        if await svc.store.ping():
            return JSONResponse({"status": "ready", "state": svc.state_backend})
        return problem_response(unavailable(f"the {svc.state_backend} state back end is down"))

    @router.get("/metrics", summary="Prometheus metrics", name="metrics")
    async def metrics(svc: ServicesDep) -> Response:
        data, content_type = svc.metrics.render()
        return Response(data, media_type=content_type)

    return router
