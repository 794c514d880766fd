"""msgpack bodies for the items endpoints, decoded as strictly as JSON bodies are.

The server and the client both decode through `unpack`: map keys must be strings and appear
once, extension types are refused, and any malformed input is a `ProtocolError` (so the server
answers 422, never 500). Binary values travel as msgpack bin; `fields.Blob` reads them as bytes.
No I/O happens here.
"""

from __future__ import annotations

from typing import Any

import msgpack  # type: ignore[import-untyped]

from journal_desktop.sync.fields import ProtocolError


def pack(value: Any) -> bytes:
    """msgpack with bin for bytes and str for text (the 2013 spec both sides speak)."""
    data: bytes = msgpack.packb(value, use_bin_type=True)
    return data


def _pairs(pairs: list[tuple[Any, Any]]) -> dict[str, Any]:
    out: dict[str, Any] = {}
    for key, value in pairs:
        if not isinstance(key, str):
            raise ProtocolError("body: a map key is not a string")
        if key in out:
            raise ProtocolError(f"body: field {key!r} appears twice")
        out[key] = value
    return out


def _no_extensions(code: int, _data: bytes) -> Any:
    raise ProtocolError(f"body: msgpack extension type {code} is not part of the protocol")


def unpack(body: bytes, where: str = "body") -> Any:
    """Decode one msgpack value that fills `body` exactly, or raise a ProtocolError."""
    try:
        return msgpack.unpackb(
            body,
            raw=False,
            strict_map_key=True,
            object_pairs_hook=_pairs,
            ext_hook=_no_extensions,
        )
    except ProtocolError:
        raise
    except (ValueError, TypeError, RecursionError, msgpack.UnpackException):
        raise ProtocolError(f"{where}: not valid msgpack") from None
