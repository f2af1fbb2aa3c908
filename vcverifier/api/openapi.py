"""The OpenAPI document (`/openapi.json`, shown at `/docs`): request bodies with their media types
and examples that verify.

The verify endpoints read their bodies themselves (size is capped while reading), so their
request bodies are described here rather than by FastAPI's parameter machinery. The examples are
signed on first request for the document with the fixed-seed test identities of
`vcverifier.testing` (did:key, eddsa-rdfc-2022): they verify against the default settings.
"""

from __future__ import annotations

import logging
from typing import Any

from fastapi import FastAPI
from fastapi.openapi.utils import get_openapi
from pydantic import BaseModel

from vcverifier.api.body import CREDENTIAL_JWT_TYPES, PRESENTATION_JWT_TYPES
from vcverifier.api.models import VerifyCredentialRequest, VerifyPresentationRequest
from vcverifier.errors import VcVerifierError

log = logging.getLogger("vcverifier.api")

_REF = "#/components/schemas/{model}"
EXAMPLE_DOMAIN = "https://verifier.example"

_PROBLEM_SCHEMA: dict[str, Any] = {
    "title": "Problem",
    "description": "RFC 9457 problem details",
    "type": "object",
    "properties": {
        "type": {"type": "string", "format": "uri"},
        "title": {"type": "string"},
        "status": {"type": "integer"},
        "detail": {"type": "string"},
    },
    "required": ["type", "title", "status", "detail"],
}


def _signed_examples() -> tuple[dict[str, Any], dict[str, Any]]:
    """(credential examples, presentation examples), signed with the fixed-seed identities."""
    from vcverifier import testing

    issuer = testing.Issuer("openapi-example-issuer")
    holder = testing.Issuer("openapi-example-holder")
    vc = issuer.sign(testing.credential(issuer.did, holder.did))
    vp_challenge = "choose-a-fresh-challenge-per-request"
    vp = holder.sign(
        testing.presentation(holder.did, [vc]),
        purpose="authentication",
        challenge=vp_challenge,
        domain=EXAMPLE_DOMAIN,
    )
    unsigned_vp = testing.presentation(holder.did, [vc])
    credential_examples = {
        "dataIntegrity": {
            "summary": "eddsa-rdfc-2022 credential issued by a did:key",
            "value": {"verifiableCredential": vc, "options": {}},
        }
    }
    presentation_examples = {
        "signed": {
            "summary": "signed presentation; its caller-chosen challenge works once",
            "value": {
                "verifiablePresentation": vp,
                "options": {"challenge": vp_challenge, "domain": EXAMPLE_DOMAIN},
            },
        },
        "unsigned": {
            "summary": "unsigned presentation, explicitly allowed, holder binding relaxed",
            "value": {
                "verifiablePresentation": unsigned_vp,
                "options": {"allowUnsignedPresentation": True, "relaxHolderBinding": True},
            },
        },
    }
    return credential_examples, presentation_examples


def _examples() -> tuple[dict[str, Any], dict[str, Any]]:
    try:
        return _signed_examples()
    except (ImportError, VcVerifierError, KeyError, ValueError) as exc:
        log.warning("OpenAPI examples could not be signed: %s", exc)
        return {}, {}


def _request_body(
    model: type[BaseModel],
    token_types: frozenset[str],
    examples: dict[str, Any],
    components: dict[str, Any],
) -> dict[str, Any]:
    schema = model.model_json_schema(ref_template=_REF, by_alias=True)
    components.update(schema.pop("$defs", {}))
    components[model.__name__] = schema
    json_content: dict[str, Any] = {"schema": {"$ref": _REF.format(model=model.__name__)}}
    if examples:
        json_content["examples"] = examples
    content: dict[str, Any] = {"application/json": json_content}
    for media_type in sorted(token_types):
        content[media_type] = {
            "schema": {"type": "string", "description": "compact serialization"},
        }
    return {"required": True, "content": content}


def install_openapi(app: FastAPI) -> None:
    def openapi() -> dict[str, Any]:
        if app.openapi_schema:
            return app.openapi_schema
        schema = get_openapi(
            title=app.title,
            version=app.version,
            description=app.description,
            routes=app.routes,
        )
        components: dict[str, Any] = schema.setdefault("components", {}).setdefault("schemas", {})
        components["Problem"] = _PROBLEM_SCHEMA
        credential_examples, presentation_examples = _examples()
        paths = schema.get("paths", {})
        for path, model, types, examples in (
            ("/credentials/verify", VerifyCredentialRequest, CREDENTIAL_JWT_TYPES,
             credential_examples),
            ("/presentations/verify", VerifyPresentationRequest, PRESENTATION_JWT_TYPES,
             presentation_examples),
        ):  # fmt: skip
            operation = paths.get(path, {}).get("post")
            if operation is not None:
                operation["requestBody"] = _request_body(model, types, examples, components)
        app.openapi_schema = schema
        return schema

    app.openapi = openapi  # type: ignore[method-assign]
