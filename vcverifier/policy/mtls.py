"""Where the caller's TLS client certificate comes from (RFC 8705 certificate binding).

1. The TLS connection itself: the ASGI TLS extension (`scope["extensions"]["tls"]
   ["client_cert_chain"]`, PEM, leaf first), when the server terminates TLS and provides it.
2. Otherwise, only if the operator set `VCVERIFIER_UNSAFE_TRUST_CLIENT_CERT_HEADER`: that request
   header, as set by a TLS-terminating gateway, in RFC 9440 form (`:base64-DER:`) or URL-encoded
   PEM (nginx `$ssl_client_escaped_cert`). With `VCVERIFIER_CLIENT_CERT_HEADER_GATEWAYS` set, the
   header counts only when the connection's peer address is one of those; otherwise any peer
   may set it, which is why the setting says UNSAFE: without a gateway in front that strips it,
   any client can claim any certificate.
"""

from __future__ import annotations

import base64
import binascii
import ssl
from collections.abc import Mapping
from typing import Any
from urllib.parse import unquote

from vcverifier.config import Settings
from vcverifier.errors import InputError


def pem_to_der(pem: str) -> bytes:
    try:
        return ssl.PEM_cert_to_DER_cert(pem.strip())
    except (ValueError, binascii.Error) as exc:
        raise InputError("the client certificate is not a PEM certificate") from exc


def parse_client_cert_header(value: str) -> bytes:
    """DER bytes of a Client-Cert header value (RFC 9440 byte sequence, or URL-encoded PEM)."""
    value = value.strip()
    if value.startswith(":") and value.endswith(":") and len(value) > 2:
        try:
            return base64.b64decode(value[1:-1], validate=True)
        except (binascii.Error, ValueError) as exc:
            raise InputError("the client certificate header is not base64") from exc
    text = unquote(value)
    if "-----BEGIN CERTIFICATE-----" in text:
        return pem_to_der(text)
    raise InputError("the client certificate header is neither RFC 9440 nor PEM")


def client_certificate(
    scope: Mapping[str, Any], headers: Mapping[str, str], settings: Settings
) -> bytes | None:
    """The DER client certificate of this request, or None (see the module docstring).
    Raises InputError for a malformed trusted header."""
    tls = (scope.get("extensions") or {}).get("tls") or {}
    chain = tls.get("client_cert_chain") if isinstance(tls, Mapping) else None
    if isinstance(chain, list | tuple) and chain and isinstance(chain[0], str):
        return pem_to_der(chain[0])
    header = settings.unsafe_trust_client_cert_header
    if not header:
        return None
    gateways = settings.client_cert_header_gateways
    client = scope.get("client")
    peer = client[0] if isinstance(client, list | tuple) and client else None
    if gateways and peer not in gateways:
        return None
    value = headers.get(header)
    return parse_client_cert_header(value) if value else None
