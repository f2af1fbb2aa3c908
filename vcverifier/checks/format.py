"""The `format` check: VC Data Model 1.1 and 2.0 shape (contexts, type, issuer, subject, dates).

What is checked: the base context comes first and is one of the two data model versions; `type`
includes the base type; `issuer` is a URL or an object with a URL `id`; `credentialSubject` is an
object or a non-empty list of objects; `id`s are URLs; dates are RFC 3339 date-times (with an
offset in 2.0); 1.1 requires `issuanceDate`; status, schema and evidence entries carry a type;
schema entries carry a URL `id`; `relatedResource` entries are objects with a unique URL `id` and
a digest (`digestSRI` in SRI form). What is not: digests are not compared with the resource
(it is never fetched); JSON-LD semantics (the `context` check and the rdfc suites do that), proofs.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from typing import Any

from vcverifier import problem_types as pt
from vcverifier.checks.dates import parse_datetime
from vcverifier.result import FORMAT, CheckResult
from vcverifier.types import JsonObject

V1 = "https://www.w3.org/2018/credentials/v1"
V2 = "https://www.w3.org/ns/credentials/v2"
_URL = re.compile(r"^[A-Za-z][A-Za-z0-9+.-]*:\S+$")
_VERSIONS = {V2: "2.0", V1: "1.1"}
# isinstance() targets built once (`str | dict` in a call builds a new union every time).
_STR_OR_DICT = (str, dict)
_STR_OR_LIST = (str, list)


def is_url(value: object) -> bool:
    return isinstance(value, str) and _URL.match(value) is not None


def as_list(value: Any) -> list[Any]:
    if value is None:
        return []
    return value if isinstance(value, list) else [value]


def data_model_version(document: JsonObject) -> str | None:
    """ "2.0", "1.1", or None when the first context is neither base context."""
    contexts = as_list(document.get("@context"))
    first = contexts[0] if contexts else None
    return _VERSIONS.get(first) if isinstance(first, str) else None


def types_of(document: JsonObject) -> list[str]:
    return [t for t in as_list(document.get("type")) if isinstance(t, str)]


def issuer_id(document: JsonObject) -> str | None:
    issuer = document.get("issuer")
    if isinstance(issuer, dict):
        issuer = issuer.get("id")
    return issuer if isinstance(issuer, str) else None


def subject_ids(document: Mapping[str, Any]) -> list[str]:
    return [
        s["id"]
        for s in as_list(document.get("credentialSubject"))
        if isinstance(s, dict) and isinstance(s.get("id"), str)
    ]


def _common(document: Any, base_type: str) -> tuple[list[str], str | None]:
    problems: list[str] = []
    if not isinstance(document, dict):
        return ["the document is not a JSON object"], None
    contexts = document.get("@context")
    version = data_model_version(document)
    if contexts is None:
        problems.append("@context is missing")
    elif version is None:
        problems.append(f"the first @context must be {V2} or {V1}")
    elif version == "2.0" and not isinstance(contexts, list) and contexts != V2:
        problems.append("@context must be a string or a list")
    for ctx in as_list(contexts):
        if not isinstance(ctx, _STR_OR_DICT):
            problems.append("every @context entry must be a URL or an object")
            break
    types = document.get("type")
    if not isinstance(types, _STR_OR_LIST) or not all(isinstance(t, str) for t in as_list(types)):
        problems.append("type must be a string or a list of strings")
    elif base_type not in as_list(types):
        problems.append(f"type must include {base_type}")
    if "id" in document and not is_url(document["id"]):
        problems.append("id must be a URL")
    return problems, version


def _dates(document: JsonObject, version: str | None) -> list[str]:
    problems = []
    names = ("validFrom", "validUntil", "issuanceDate", "expirationDate")
    for name in names:
        if name in document:
            if parse_datetime(document[name], require_offset=version == "2.0") is None:
                problems.append(
                    f"{name} is not an RFC 3339 date-time: {str(document[name])[:64]!r}"
                )
    if version == "1.1" and "issuanceDate" not in document:
        problems.append("issuanceDate is required in a VC Data Model 1.1 credential")
    return problems


def _typed_entries(document: JsonObject, name: str) -> list[str]:
    if name not in document:
        return []
    for entry in as_list(document[name]):
        if not isinstance(entry, dict) or not isinstance(entry.get("type"), _STR_OR_LIST):
            return [f"every {name} entry must be an object with a type"]
    return []


def _schema_entries(document: JsonObject) -> list[str]:
    # VC Data Model 2.0, 4.11 Data Schemas: each credentialSchema MUST specify its type and an
    # id that MUST be a URL identifying the schema (the type itself is checked by _typed_entries).
    if "credentialSchema" not in document:
        return []
    for entry in as_list(document["credentialSchema"]):
        if isinstance(entry, dict) and not is_url(entry.get("id")):
            return ["every credentialSchema entry must have an id that is a URL"]
    return []


_SRI = re.compile(r"^(sha256|sha384|sha512)-[A-Za-z0-9+/]+={0,2}$")


def _related_resources(document: JsonObject) -> list[str]:
    # VC Data Model 2.0, 5.3 Integrity of Related Resources: one or more objects, each with an
    # id (a URL, unique among them) and at least one of digestSRI / digestMultibase.
    if "relatedResource" not in document:
        return []
    entries = as_list(document["relatedResource"])
    if not entries or not all(isinstance(e, dict) for e in entries):
        return ["relatedResource must be one or more objects"]
    ids = [e.get("id") for e in entries]
    if not all(is_url(i) for i in ids):
        return ["every relatedResource entry must have an id that is a URL"]
    if len(set(ids)) != len(ids):
        return ["relatedResource ids must be unique"]
    for entry in entries:
        sri, multibase = entry.get("digestSRI"), entry.get("digestMultibase")
        if sri is None and multibase is None:
            return ["every relatedResource entry needs a digestSRI or a digestMultibase"]
        # SRI, 3.5: hash-algo "-" base64-value (standard base64, not base64url)
        if sri is not None and not all(
            isinstance(v, str) and _SRI.match(v) for v in str(sri).split()
        ):
            return ["relatedResource digestSRI must be an SRI hash expression"]
        if multibase is not None and not (isinstance(multibase, str) and len(multibase) > 1):
            return ["relatedResource digestMultibase must be a multibase string"]
    return []


def credential_problems(document: Any) -> tuple[list[str], str | None]:
    problems, version = _common(document, "VerifiableCredential")
    if not isinstance(document, dict):
        return problems, version
    issuer = document.get("issuer")
    if issuer is None:
        problems.append("issuer is missing")
    elif not is_url(issuer_id(document)):
        problems.append("issuer must be a URL or an object whose id is a URL")
    subjects = as_list(document.get("credentialSubject"))
    if not subjects:
        problems.append("credentialSubject is missing")
    elif not all(isinstance(s, dict) and s for s in subjects):
        problems.append("credentialSubject must be a non-empty object or list of objects")
    elif any("id" in s and not is_url(s["id"]) for s in subjects):
        problems.append("credentialSubject id must be a URL")
    problems += _dates(document, version)
    for name in (
        "credentialStatus",
        "credentialSchema",
        "evidence",
        "termsOfUse",
        "refreshService",
    ):
        problems += _typed_entries(document, name)
    problems += _schema_entries(document)
    problems += _related_resources(document)
    return problems, version


def presentation_problems(document: Any) -> tuple[list[str], str | None]:
    problems, version = _common(document, "VerifiablePresentation")
    if not isinstance(document, dict):
        return problems, version
    holder = document.get("holder")
    if holder is not None:
        hid = holder.get("id") if isinstance(holder, dict) else holder
        if not is_url(hid):
            problems.append("holder must be a URL or an object whose id is a URL")
    for vc in as_list(document.get("verifiableCredential")):
        if not isinstance(vc, dict | str):
            problems.append("verifiableCredential entries must be objects or JWT strings")
            break
    return problems, version


def check_format(document: Any, *, kind: str) -> CheckResult:
    """The `format` check for a credential or presentation (JSON form)."""
    if kind == "presentation":
        problems, version = presentation_problems(document)
    else:
        problems, version = credential_problems(document)
    if problems:
        return CheckResult.failed(
            FORMAT,
            f"not a well-formed verifiable {kind}: {problems[0]}",
            problem_type=pt.MALFORMED_VALUE_ERROR,
            title=f"Malformed verifiable {kind}",
            detail="; ".join(problems),
        )
    return CheckResult.passed(
        FORMAT, f"well-formed VC Data Model {version} {kind}", dataModel=version or ""
    )
