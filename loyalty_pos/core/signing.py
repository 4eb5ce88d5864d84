"""Request signatures of the sync protocol (docs/sync-protocol.md, "Signed requests").

The till signs every request with its till key and head office checks the signature with the
same function, so both sides compute exactly the same bytes. Stdlib only: the till imports it
without pulling in anything of head office.
"""

from __future__ import annotations

import hashlib
import hmac

HEADER_TILL = "X-Loyalty-Till"
HEADER_TIMESTAMP = "X-Loyalty-Timestamp"
HEADER_SIGNATURE = "X-Loyalty-Signature"
MAX_SKEW_SECONDS = 300  # a request more than this far from head office's clock is stale
# the body of POST /v1/ledger: a ledger file (docs/ledger-file-format.md), gzip
LEDGER_CONTENT_TYPE = "application/vnd.loyalty-ledger+gzip"


def string_to_sign(method: str, path_with_query: str, timestamp: int, body: bytes) -> bytes:
    """METHOD "\\n" PATH_WITH_QUERY "\\n" TIMESTAMP "\\n" hex sha256(body), in UTF-8."""
    return "\n".join((method.upper(), path_with_query, str(int(timestamp)),
                      hashlib.sha256(body).hexdigest())).encode()


def sign_request(key: bytes, method: str, path_with_query: str, timestamp: int,
                 body: bytes = b"") -> str:
    """The hex HMAC-SHA256 of the request under the till key.

    `path_with_query` is the raw path and query as sent (`/v1/changes?since=0&limit=500`),
    `timestamp` unix seconds, `body` the exact bytes sent (b"" for none)."""
    return hmac.new(key, string_to_sign(method, path_with_query, timestamp, body),
                    hashlib.sha256).hexdigest()


def signature_matches(key: bytes, method: str, path_with_query: str, timestamp: int,
                      body: bytes, signature: str) -> bool:
    """Constant-time comparison of a received signature with the expected one (as bytes:
    compare_digest refuses non-ASCII text, and a header may hold anything)."""
    expected = sign_request(key, method, path_with_query, timestamp, body).encode()
    return hmac.compare_digest(expected, signature.strip().lower().encode("utf-8", "replace"))
