"""Finding the key that must have signed a JWT: from the signer's DID, or from JWT VC Issuer
Metadata when the issuer is an https URL.

Rules (VC-JOSE-COSE "Using Header Parameters and Claims for Key Discovery"; SD-JWT VC
"Issuer Signature Mechanisms"):

- a DID signer: `kid` is a DID URL of that same DID (a relative `#fragment` is taken against
  it); a `kid` of any other DID is refused. The verification method must be listed under the
  relationship the purpose needs (`assertionMethod` for credentials, `authentication` for
  presentations). Without a `kid`, the DID must list exactly one method under that relationship;
- an https signer: its `/.well-known/jwt-vc-issuer` metadata gives the keys (see
  `issuer_metadata`); `kid` selects one, or the set must hold exactly one key;
- anything else (http URLs, URNs, bare strings) has no key discovery and fails.

Raises ResolutionError, UnsupportedError or FetchError; the caller turns them into a failed
`did` check.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field

from vcverifier.did.registry import ResolverRegistry
from vcverifier.errors import ResolutionError
from vcverifier.jose.issuer_metadata import MetadataFetcher, issuer_key
from vcverifier.keys import PublicKey


@dataclass(frozen=True, slots=True)
class Signer:
    """The key a JWT must verify with, and who controls it."""

    key: PublicKey
    controller: str  # the DID, or the https issuer identifier
    key_id: str  # the verification method id, or the JWK's kid/thumbprint
    evidence: Mapping[str, str] = field(default_factory=dict)


def did_of(url: str) -> str:
    """The DID of a DID URL (`did:x:y#frag`, `did:x:y?q`, `did:x:y/path`)."""
    did = url.split("#", 1)[0].split("?", 1)[0]
    return did.split("/", 1)[0]


def absolute_kid(kid: str, did: str) -> str:
    """`kid` as an absolute DID URL for `did`; refuses a kid of another DID."""
    if kid.startswith("#"):
        return did + kid
    if not kid.startswith("did:"):
        raise ResolutionError(f"kid {kid[:200]!r} is not a DID URL of {did}")
    if did_of(kid) != did:
        raise ResolutionError(f"kid {kid[:200]} belongs to another DID than {did}")
    return kid


async def resolve_signer(
    signer: str,
    kid: str | None,
    *,
    relationship: str,
    resolver: ResolverRegistry,
    fetcher: MetadataFetcher | None,
) -> Signer:
    """The key `kid` names for `signer` (a DID or an https issuer URL)."""
    if signer.startswith("did:"):
        if kid is None:
            resolved = await resolver.resolve(signer)
            candidates = resolved.document.all_verification_methods(relationship)
            if len(candidates) != 1:
                raise ResolutionError(
                    f"the JWT has no kid and {signer} lists {len(candidates)} {relationship} "
                    "methods (exactly one is needed to pick a key without a kid)"
                )
            url = candidates[0]
        else:
            url = absolute_kid(kid, signer)
        vm, resolved = await resolver.verification_method(url, relationship=relationship)
        evidence = {**resolved.evidence, "verificationMethod": vm.id}
        return Signer(vm.public_key, signer, vm.id, evidence)
    if signer.startswith("https://"):
        if kid is not None and kid.startswith("did:"):
            raise ResolutionError(f"kid {kid[:200]} belongs to a DID, not to issuer {signer}")
        key, key_id, evidence = await issuer_key(signer, kid, fetcher=fetcher)
        return Signer(key, signer, key_id, evidence)
    raise ResolutionError(
        f"no key discovery for signer {signer[:200]!r} (a DID or an https issuer is needed)"
    )
