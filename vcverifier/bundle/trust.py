"""Trust lists from an offline bundle: the operator's signed snapshot, judged for freshness.

Offline, `with_bundled_trust(evaluator, source)` returns a `TrustEvaluator` whose store serves
the bundle's trust lists first and the local trust store's after them (`BundleTrustStore`,
read-only), so a verifier with an empty trust directory can still decide trust from the
bundle. Before evaluating, every bundled list in scope (the lists asked for, else the default
lists, else every list) is checked against the freshness policy: a list older than
`bundle_max_age_trust_list_seconds` fails the `trust` check with its age (problem type
STALE_EVIDENCE). A passing check from a bundled list says so in its evidence (source bundle,
age). What is not done here: evaluating the lists — that is `TrustEvaluator`'s job, unchanged.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import replace
from datetime import datetime

from vcverifier import problem_types as pt
from vcverifier.bundle.format import Entry, Kind
from vcverifier.bundle.source import BundleSource, StaleEvidenceError
from vcverifier.errors import ConfigError
from vcverifier.result import TRUST, CheckResult
from vcverifier.trust.evaluate import TrustEvaluation, TrustEvaluator
from vcverifier.trust.model import TrustList
from vcverifier.trust.store import JournalEntry, TrustStore

__all__ = ["BundleTrustEvaluator", "BundleTrustStore", "with_bundled_trust"]


class BundleTrustStore:
    """A read-only `TrustStore`: the bundle's lists, then those of `fallback`. The bundled
    lists are parsed when it is made (InputError names a malformed one)."""

    def __init__(self, source: BundleSource, fallback: TrustStore) -> None:
        self.source = source
        self.fallback = fallback
        self.lists: dict[str, TrustList] = {}
        self.entries: dict[str, Entry] = {}
        for entry in source.bundle.of_kind(Kind.TRUST_LIST):
            trust_list = TrustList.from_json_text(entry.body, source=f"bundled {entry.describe()}")
            self.lists[trust_list.id] = trust_list
            self.entries[trust_list.id] = entry

    async def list_ids(self) -> tuple[str, ...]:
        return tuple(sorted(set(self.lists) | set(await self.fallback.list_ids())))

    async def get(self, list_id: str) -> TrustList | None:
        found = self.lists.get(list_id)
        return found if found is not None else await self.fallback.get(list_id)

    async def put(
        self, trust_list: TrustList, *, expected_version: int | None, record: JournalEntry
    ) -> None:
        raise ConfigError("offline: trust lists come from the bundle and cannot be changed")

    async def journal(self, list_id: str | None = None) -> tuple[JournalEntry, ...]:
        return await self.fallback.journal(list_id)

    async def close(self) -> None:
        await self.fallback.close()


class BundleTrustEvaluator(TrustEvaluator):
    """`TrustEvaluator` over a `BundleTrustStore`, with the freshness policy applied first."""

    def __init__(self, store: BundleTrustStore, *, default_lists: Sequence[str] = ()) -> None:
        super().__init__(store, default_lists=default_lists)
        self.bundled = store

    async def evaluate(
        self,
        *,
        issuer: str,
        types: Sequence[str],
        now: datetime,
        lists: Sequence[str] = (),
        verification_methods: Sequence[str] = (),
    ) -> TrustEvaluation:
        scope = tuple(lists) or self.default_lists or await self.store.list_ids()
        source = self.bundled.source
        for list_id in scope:
            entry = self.bundled.entries.get(list_id)
            if entry is None:
                continue
            try:
                source.policy.check(entry, now=now)
            except StaleEvidenceError as exc:
                return TrustEvaluation(
                    CheckResult.failed(
                        TRUST,
                        exc.detail,
                        problem_type=pt.STALE_EVIDENCE,
                        title="Trust list too old",
                        evidence={"list": list_id, **source.evidence(entry, now=now)},
                    )
                )
        evaluation = await super().evaluate(
            issuer=issuer,
            types=types,
            now=now,
            lists=lists,
            verification_methods=verification_methods,
        )
        matched = evaluation.trust_list
        entry = self.bundled.entries.get(matched.id) if matched is not None else None
        if entry is None:
            return evaluation
        result = evaluation.result
        evidence = {**result.evidence, **source.evidence(entry, now=now)}
        return replace(evaluation, result=replace(result, evidence=evidence))


def with_bundled_trust(evaluator: TrustEvaluator, source: BundleSource) -> TrustEvaluator:
    """`evaluator` itself when the bundle has no trust lists, else one that reads the bundle's
    lists first (see the module docstring)."""
    if not source.bundle.of_kind(Kind.TRUST_LIST):
        return evaluator
    store = BundleTrustStore(source, evaluator.store)
    return BundleTrustEvaluator(store, default_lists=evaluator.default_lists)
