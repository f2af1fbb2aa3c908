"""W3C Bitstring Status List v1.0: `BitstringStatusListEntry` / `BitstringStatusListCredential`."""

from __future__ import annotations

from typing import ClassVar

from vcverifier.status.bitstring import MIN_BITS, decode_bitstring


class BitstringStatusList:
    """encodedList is multibase base64url (`u`) of GZIP; at least 131,072 bits; statusSize and
    statusMessage are supported (purpose `message`)."""

    entry_type: ClassVar[str] = "BitstringStatusListEntry"
    list_credential_type: ClassVar[str] = "BitstringStatusListCredential"
    list_type: ClassVar[str] = "BitstringStatusList"
    min_bits: ClassVar[int] = MIN_BITS
    supports_status_size: ClassVar[bool] = True

    def decode(self, encoded_list: str, *, max_bytes: int) -> bytes:
        return decode_bitstring(encoded_list, multibase_prefix=True, max_bytes=max_bytes)
