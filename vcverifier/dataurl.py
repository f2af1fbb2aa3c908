"""Reading the `data:` URLs that carry enveloped credentials and presentations (RFC 2397:
`data:<media type>[;<parameter>]*[;base64],<data>`), for VCDM 2.0 envelopes."""

from __future__ import annotations

import base64
import binascii
from collections.abc import Collection
from urllib.parse import unquote


def envelope_token(url: object, media_types: Collection[str]) -> tuple[str | None, str]:
    """The token carried by `url`, or None and the reason it cannot be read. The media type
    must be one of `media_types` (compared case-insensitively); `;base64` data is decoded."""
    if not isinstance(url, str) or not url.startswith("data:") or "," not in url:
        return None, "an enveloped credential or presentation needs a data: URL id"
    header, data = url[len("data:") :].split(",", 1)
    media_type, *parameters = header.split(";")
    if media_type.lower() not in media_types:
        supported = ", ".join(media_types)
        return (
            None,
            f"unsupported envelope media type {media_type[:100]!r} (supported: {supported})",
        )
    if parameters and parameters[-1].lower() == "base64":
        try:
            return base64.b64decode(unquote(data), validate=True).decode("ascii"), ""
        except (binascii.Error, UnicodeDecodeError):
            return None, "the envelope's data: URL is not valid base64"
    return unquote(data), ""
