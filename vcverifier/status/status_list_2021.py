"""StatusList2021 (W3C CCG, the predecessor of Bitstring Status List): `StatusList2021Entry`."""

from __future__ import annotations

from typing import ClassVar

from vcverifier.status.bitstring import decode_bitstring


class StatusList2021:
    """encodedList is plain base64url of GZIP (no multibase prefix); one bit per entry. The
    16KB minimum of the draft is not enforced: lists made for it in the wild are often shorter,
    and a short list cannot hide an entry (an index beyond it fails with RANGE_ERROR)."""

    entry_type: ClassVar[str] = "StatusList2021Entry"
    list_credential_type: ClassVar[str] = "StatusList2021Credential"
    list_type: ClassVar[str] = "StatusList2021"
    min_bits: ClassVar[int] = 0
    supports_status_size: ClassVar[bool] = False

    def decode(self, encoded_list: str, *, max_bytes: int) -> bytes:
        return decode_bitstring(encoded_list, multibase_prefix=False, max_bytes=max_bytes)
