"""Credential status: Bitstring Status List v1.0 and StatusList2021 (`StatusChecker`)."""

from __future__ import annotations

from vcverifier.status.bitstring import (
    MIN_BITS,
    BitstringCache,
    StatusListError,
    decode_bitstring,
    make_bitstring,
    make_status_list,
    read_status,
)
from vcverifier.status.bitstring_status_list import BitstringStatusList
from vcverifier.status.checker import StatusChecker, StatusVerificationError, default_status_methods
from vcverifier.status.registry import StatusEntry, StatusMethod, StatusRegistry
from vcverifier.status.status_list_2021 import StatusList2021

__all__ = [
    "MIN_BITS",
    "BitstringCache",
    "BitstringStatusList",
    "StatusChecker",
    "StatusEntry",
    "StatusList2021",
    "StatusListError",
    "StatusMethod",
    "StatusRegistry",
    "StatusVerificationError",
    "decode_bitstring",
    "default_status_methods",
    "make_bitstring",
    "make_status_list",
    "read_status",
]
