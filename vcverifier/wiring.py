"""The default assembly of a `Verifier` from `Settings` (the one place that knows every part).

Building does no I/O: the state store connects lazily, the fetcher opens no socket until used.
"""

from __future__ import annotations

from typing import Any

from vcverifier.config import Settings
from vcverifier.verifier import Verifier


def build_verifier(settings: Settings, *, store: Any = None) -> Verifier:
    from vcverifier.bundle.source import BundleSource
    from vcverifier.bundle.trust import with_bundled_trust
    from vcverifier.cache_redis import make_store
    from vcverifier.challenges import ChallengeStore
    from vcverifier.contexts.loader import DocumentLoader
    from vcverifier.did.defaults import build_default_resolvers
    from vcverifier.did.web import DidWeb
    from vcverifier.fetch import Fetcher
    from vcverifier.jose.issuer_metadata import CachedMetadataFetcher
    from vcverifier.proofs import default_suites
    from vcverifier.status.checker import StatusChecker
    from vcverifier.trust.evaluate import TrustEvaluator

    settings.warn_unsafe()
    # The offline bundle, its signature checked before anything in it is used (InputError).
    bundle = BundleSource.from_settings(settings)
    state = store if store is not None else make_store(settings)
    fetcher = Fetcher(settings)
    resolvers = build_default_resolvers(extra=[DidWeb(fetcher, state, settings, bundle=bundle)])
    verifier = Verifier(
        settings,
        loader=DocumentLoader.from_settings(settings),
        resolvers=resolvers,
        suites=default_suites(max_work=settings.canonicalization_max_work),
        challenges=ChallengeStore(state, ttl_seconds=settings.challenge_ttl_seconds),
        fetcher=fetcher,
        metadata_fetcher=CachedMetadataFetcher(fetcher, state),
    )
    verifier.status = StatusChecker(
        fetcher,
        state,
        settings,
        verify_list=verifier.verify_status_list_credential,
        bundle=bundle,
    )
    verifier.trust = TrustEvaluator.from_settings(settings, store=state)
    if bundle is not None and settings.offline:
        # Offline, the bundle's trust lists (with their freshness policy) come first.
        verifier.trust = with_bundled_trust(verifier.trust, bundle)
    verifier.store = state
    return verifier
