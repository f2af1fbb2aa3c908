"""Authorization endpoints (vcverifier.policy): decide, mint holder-bound tokens, introspect.

- `POST /authorize`: verify a presentation (challenge, domain, trust, status: as
  `POST /presentations/verify`) and apply the policy (`VCVERIFIER_POLICY_FILE`) for the given
  audience, action, resource, purpose and scopes. 200 with the decision, permit or deny, its
  reasons and the verification result; on permit, when the policy issues tokens, an access token
  bound to the holder's key (DPoP, `cnf.jkt`) or to the TLS client certificate
  (`tokenBinding: "mtls"`, `cnf["x5t#S256"]`).
- `POST /access/v1/evaluation`: the OpenID AuthZEN Authorization API evaluation shape. The
  subject is whoever the presentation in `context.verifiablePresentation` establishes (a given
  `subject.id` must be that holder); `{"decision": bool, "context": {...}}`; no token.
- `GET /.well-known/authzen-configuration`: AuthZEN PDP metadata (where to evaluate).
- `GET /.well-known/jwks.json`: the public token signing keys (current and previous).
- `POST /introspect`: RFC 7662 (form `token=...`), for resource servers with a key from
  `VCVERIFIER_INTROSPECTION_API_KEYS` (or an admin key) as a Bearer token.
- `POST /tokens/revoke`: operators (admin Bearer key) revoke one token (`jti` or `token`) or
  every token of a holder (`holder`).
"""

from __future__ import annotations

import hmac
from datetime import UTC, datetime
from typing import Annotated, Any
from urllib.parse import parse_qs

from fastapi import APIRouter, Header, Request
from fastapi.responses import JSONResponse
from pydantic import BaseModel, ConfigDict, Field, StrictBool, StrictStr
from starlette.responses import Response

from vcverifier import problem_types as pt
from vcverifier.api.body import parse_json, read_body, read_limited
from vcverifier.api.deps import Services, ServicesDep
from vcverifier.api.problems import ApiProblem, from_error, validate_model, validation_problem
from vcverifier.config import Settings
from vcverifier.errors import ConfigError, InputError
from vcverifier.policy.configured import find_policy, load_policy
from vcverifier.policy.decision import AuthorizationRequest
from vcverifier.policy.introspection import TokenRegistry
from vcverifier.policy.keys import SigningKeys
from vcverifier.policy.model import SCOPE_PATTERN, Binding, Policy
from vcverifier.policy.mtls import client_certificate
from vcverifier.policy.service import Authorizer
from vcverifier.policy.tokens import TokenError, verify_access_token
from vcverifier.verifier import VerifyOptions

Text = Annotated[StrictStr, Field(max_length=2048)]
Scope = Annotated[StrictStr, Field(pattern=SCOPE_PATTERN)]


class AuthorizeOptions(BaseModel):
    model_config = ConfigDict(extra="ignore", populate_by_name=True, frozen=True)

    challenge: Annotated[StrictStr, Field(min_length=1, max_length=512)]
    domain: Text | None = None
    trust_lists: list[Annotated[StrictStr, Field(max_length=200)]] = Field(
        default_factory=list, alias="trustLists", max_length=32
    )

    def to_verify_options(self) -> VerifyOptions:
        return VerifyOptions(
            challenge=self.challenge, domain=self.domain, trust_lists=tuple(self.trust_lists)
        )


class AuthorizeBody(BaseModel):
    model_config = ConfigDict(extra="forbid", populate_by_name=True, frozen=True)

    verifiable_presentation: dict[str, Any] | StrictStr = Field(alias="verifiablePresentation")
    options: AuthorizeOptions
    audience: Annotated[StrictStr, Field(min_length=1, max_length=2048)]
    action: Annotated[StrictStr, Field(min_length=1, max_length=200)]
    resource: Text = ""
    purpose: Text = ""
    scopes: list[Scope] | None = Field(None, max_length=100)
    token_binding: Binding = Field(Binding.DPOP, alias="tokenBinding")
    issue_token: StrictBool = Field(True, alias="issueToken")


class _Named(BaseModel):
    model_config = ConfigDict(extra="allow", frozen=True)


class AuthzenSubject(_Named):
    type: Text = ""
    id: Text = ""


class AuthzenAction(_Named):
    name: Annotated[StrictStr, Field(min_length=1, max_length=200)]


class AuthzenResource(_Named):
    type: Text = ""
    id: Text = ""
    properties: dict[str, Any] = Field(default_factory=dict)


class AuthzenContext(BaseModel):
    model_config = ConfigDict(extra="allow", populate_by_name=True, frozen=True)

    verifiable_presentation: dict[str, Any] | StrictStr = Field(alias="verifiablePresentation")
    challenge: Annotated[StrictStr, Field(min_length=1, max_length=512)]
    domain: Text | None = None
    audience: Text | None = None
    purpose: Text = ""
    scopes: list[Scope] | None = Field(None, max_length=100)


class AuthzenBody(BaseModel):
    model_config = ConfigDict(extra="ignore", frozen=True)

    subject: AuthzenSubject = Field(default_factory=lambda: AuthzenSubject())
    action: AuthzenAction
    resource: AuthzenResource = Field(default_factory=lambda: AuthzenResource())
    context: AuthzenContext


class RevokeBody(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)

    jti: Annotated[StrictStr, Field(min_length=1, max_length=256)] | None = None
    token: Annotated[StrictStr, Field(min_length=1, max_length=16_384)] | None = None
    holder: Annotated[StrictStr, Field(min_length=1, max_length=4096)] | None = None


class AuthzServices:
    """Built once per app, on first use: the policy, signing keys, registry and authorizer."""

    def __init__(self, svc: Services, policy: Policy | None = None) -> None:
        settings = svc.settings
        self.policy = policy if policy is not None else load_policy(settings)
        self.keys = SigningKeys.from_settings(
            settings.token_signing_keys_file, alg=settings.token_signing_alg
        )
        self.registry = TokenRegistry(
            svc.store,
            self.keys,
            status=svc.verifier.status,
            issuer=settings.token_issuer,
            skew_seconds=settings.clock_skew_seconds,
        )
        self.authorizer = Authorizer(
            svc.verifier, self.policy, keys=self.keys, registry=self.registry
        )


def authz(request: Request, svc: Services) -> AuthzServices:
    found = getattr(request.app.state, "authz", None)
    if isinstance(found, AuthzServices):
        return found
    try:
        built = AuthzServices(svc)
    except ConfigError as exc:
        raise from_error(exc) from exc
    request.app.state.authz = built
    return built


def prepare(app: Any, svc: Services) -> None:
    """Build the authorization services now (call from the app's lifespan, after its
    `Services`), so that a broken policy or key file stops the service from starting instead
    of failing its first request. Without `VCVERIFIER_POLICY_FILE` nothing is built."""
    policy = find_policy(svc.settings)
    if policy is not None:
        app.state.authz = AuthzServices(svc, policy)


def token_keys(request: Request, svc: Services) -> SigningKeys:
    """The signing keys alone (the JWKS does not need a policy)."""
    found = getattr(request.app.state, "authz", None)
    if isinstance(found, AuthzServices):
        return found.keys
    keys = getattr(request.app.state, "token_keys", None)
    if not isinstance(keys, SigningKeys):
        s = svc.settings
        try:
            built = authz(request, svc)
        except ApiProblem:
            if s.token_signing_keys_file is None:
                raise
            try:
                keys = SigningKeys.load(s.token_signing_keys_file)
            except ConfigError as exc:
                raise from_error(exc) from exc
        else:
            keys = built.keys
        request.app.state.token_keys = keys
    return keys


def issuer_of(request: Request, settings: Settings) -> str:
    return settings.token_issuer or str(request.base_url).rstrip("/")


def _bearer(authorization: str | None, accepted: list[str], realm: str) -> None:
    scheme, _, key = (authorization or "").partition(" ")
    if scheme.lower() != "bearer" or not key.strip():
        raise ApiProblem(
            401,
            type=pt.UNAUTHORIZED,
            title="Authentication required",
            detail="send an API key as 'Authorization: Bearer <key>'",
            headers={"WWW-Authenticate": f'Bearer realm="{realm}"'},
        )
    presented = key.strip().encode()
    matched = False
    for candidate in accepted:
        matched |= hmac.compare_digest(presented, candidate.encode())
    if not matched:
        raise ApiProblem(403, type=pt.FORBIDDEN, title="Forbidden", detail="key not accepted")


async def _json(request: Request, settings: Settings) -> Any:
    body = await read_body(
        request, max_bytes=settings.max_body_bytes, max_depth=settings.max_json_depth
    )
    return body.json


def build_router() -> APIRouter:
    router = APIRouter(tags=["authorization"])

    @router.post("/authorize", summary="Verify a presentation and decide by policy")
    async def authorize(request: Request, svc: ServicesDep) -> Response:
        """Verify the presentation, evaluate the policy for `audience`/`action`, and on permit
        mint an access token bound to the holder (when the policy issues tokens). A deny is a
        200 answer with `decision: "deny"` and its reasons."""
        services = authz(request, svc)
        req: AuthorizeBody = validate_model(
            AuthorizeBody, await _json(request, svc.settings), what="authorization request"
        )
        certificate = None
        if req.token_binding is Binding.MTLS:
            try:
                certificate = client_certificate(request.scope, request.headers, svc.settings)
            except InputError as exc:
                raise from_error(exc) from exc
        try:
            outcome = await services.authorizer.authorize(
                req.verifiable_presentation,
                AuthorizationRequest(
                    audience=req.audience,
                    action=req.action,
                    resource=req.resource,
                    purpose=req.purpose,
                    scopes=tuple(req.scopes) if req.scopes is not None else None,
                ),
                options=req.options.to_verify_options(),
                now=datetime.now(UTC),
                issuer=issuer_of(request, svc.settings),
                want_token=req.issue_token,
                binding=req.token_binding,
                client_certificate=certificate,
            )
        except InputError as exc:
            raise from_error(exc) from exc
        headers = {"Cache-Control": "no-store"}
        return JSONResponse(outcome.to_json(), headers=headers)

    @router.post("/access/v1/evaluation", summary="OpenID AuthZEN access evaluation")
    async def evaluation(request: Request, svc: ServicesDep) -> Response:
        """AuthZEN evaluation: subject, action, resource, context → `{"decision": bool,
        "context": {...}}`. The subject is established by `context.verifiablePresentation`;
        the audience is `context.audience` or `resource.properties.audience`."""
        services = authz(request, svc)
        req: AuthzenBody = validate_model(
            AuthzenBody, await _json(request, svc.settings), what="evaluation request"
        )
        ctx = req.context
        audience = ctx.audience or req.resource.properties.get("audience")
        if not isinstance(audience, str) or not audience:
            loc = ("context", "audience")
            msg = "an audience is required"
            raise validation_problem([{"loc": loc, "msg": msg}], what="evaluation request")
        resource = "/".join(p for p in (req.resource.type, req.resource.id) if p)
        try:
            outcome = await services.authorizer.authorize(
                ctx.verifiable_presentation,
                AuthorizationRequest(
                    audience=audience,
                    action=req.action.name,
                    resource=resource,
                    purpose=ctx.purpose,
                    scopes=tuple(ctx.scopes) if ctx.scopes is not None else None,
                ),
                options=VerifyOptions(challenge=ctx.challenge, domain=ctx.domain),
                now=datetime.now(UTC),
                issuer=issuer_of(request, svc.settings),
                want_token=False,
            )
        except InputError as exc:
            raise from_error(exc) from exc
        decision = outcome.decision
        permit = decision.permit
        details = decision.to_json()
        if req.subject.id and req.subject.id != decision.holder:
            permit = False
            details["reasons"].insert(
                0,
                {
                    "code": "subject-mismatch",
                    "detail": "subject.id is not the holder the presentation establishes",
                },
            )
        reason = "; ".join(r["detail"] for r in details["reasons"][:5])
        context = {
            "reason_admin": {"en": reason},
            "subject": {"type": "did", "id": decision.holder} if decision.holder else None,
            "decision": details,
            "failedChecks": list(decision.failed_checks),
        }
        body = {"decision": permit, "context": context}
        return JSONResponse(body, headers={"Cache-Control": "no-store"})

    @router.get("/.well-known/authzen-configuration", summary="AuthZEN PDP metadata")
    async def authzen_configuration(request: Request, svc: ServicesDep) -> Response:
        """Where this policy decision point answers (OpenID AuthZEN PDP metadata)."""
        base = issuer_of(request, svc.settings)
        return JSONResponse(
            {
                "policy_decision_point": base,
                "access_evaluation_endpoint": base + "/access/v1/evaluation",
            }
        )

    @router.get("/.well-known/jwks.json", summary="The verifier's token signing keys")
    async def jwks(request: Request, svc: ServicesDep) -> Response:
        """Public keys (current first, then previous ones) that verify our access tokens."""
        keys = token_keys(request, svc)
        return JSONResponse(
            keys.public_jwks(),
            media_type="application/jwk-set+json",
            headers={"Cache-Control": "public, max-age=300"},
        )

    @router.post("/introspect", summary="RFC 7662 token introspection")
    async def introspect(
        request: Request, svc: ServicesDep, authorization: Annotated[str | None, Header()] = None
    ) -> Response:
        """`token=<access token>` (form-encoded): `{"active": false}` unless the token is ours,
        unexpired, not revoked and every credential behind it still passes its status check."""
        s = svc.settings
        _bearer(authorization, [*s.introspection_api_keys, *s.admin_api_keys], "introspection")
        services = authz(request, svc)
        raw = await read_limited(request, 32_768)
        media = request.headers.get("content-type", "").split(";")[0].strip().lower()
        token: Any = None
        if media == "application/json":
            data = parse_json(raw, max_depth=4)
            token = data.get("token") if isinstance(data, dict) else None
        else:
            try:
                form = parse_qs(raw.decode("ascii"), max_num_fields=10, strict_parsing=False)
            except (UnicodeDecodeError, ValueError) as exc:
                raise from_error(InputError("the body is not a form")) from exc
            values = form.get("token", [])
            token = values[0] if len(values) == 1 else None
        if not isinstance(token, str) or not token:
            raise from_error(InputError("the 'token' parameter is required (once)"))
        answer = await services.registry.introspect(token, now=datetime.now(UTC))
        return JSONResponse(answer, headers={"Cache-Control": "no-store"})

    @router.post("/tokens/revoke", summary="Revoke a token, or every token of a holder")
    async def revoke(
        request: Request, svc: ServicesDep, authorization: Annotated[str | None, Header()] = None
    ) -> Response:
        """Operators only (admin Bearer key). Body: `{"jti": ...}`, `{"token": ...}` or
        `{"holder": "did:..."}`."""
        _bearer(authorization, list(svc.settings.admin_api_keys), "vcverifier-admin")
        services = authz(request, svc)
        req: RevokeBody = validate_model(
            RevokeBody, await _json(request, svc.settings), what="revocation request"
        )
        if sum(x is not None for x in (req.jti, req.token, req.holder)) != 1:
            loc = ("body",)
            msg = "give exactly one of jti, token, holder"
            raise validation_problem([{"loc": loc, "msg": msg}], what="revocation request")
        now = datetime.now(UTC)
        if req.holder is not None:
            await services.registry.revoke_holder(req.holder, now=now)
            return JSONResponse({"revoked": "holder", "holder": req.holder})
        jti = req.jti
        if req.token is not None:
            try:
                claims = verify_access_token(
                    req.token,
                    services.keys.verification_keys(),
                    audience=None,
                    now=now,
                    leeway_seconds=svc.settings.clock_skew_seconds,
                )
            except TokenError as exc:
                raise from_error(InputError(f"not one of our live tokens: {exc.detail}")) from exc
            jti = str(claims["jti"])
        assert jti is not None  # noqa: S101 - exactly one of the three was given
        if not await services.registry.revoke_token(jti):
            raise ApiProblem(404, type=pt.NOT_FOUND, title="Not found", detail="no such token")
        return JSONResponse({"revoked": "token", "jti": jti})

    return router
