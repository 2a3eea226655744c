"""Reading an HTTP body for a check: the ``expect_body`` match, the cap, gzip/deflate.

Shared by the direct path (h11 framing) and the proxied one (httpx framing), so both
read a body the same way.
"""

from __future__ import annotations

import zlib

from warroom.domain.workspace import Target
from warroom.probes.errors import CheckFailed


class BodyScan:
    """Looks for ``expect_body`` in a body fed piece by piece, within ``max_body_bytes``.

    The cap bounds both the bytes on the wire and the decoded bytes of a gzip/deflate
    body (a bomb costs at most the cap). The caller goes on reading after a match, up to
    the end or the cap, so that broken framing (a body shorter than its Content-Length,
    a cut chunk) is still ``protocol_error``: a response that breaks is not a working
    page, whatever came before the break.
    """

    def __init__(self, target: Target, encoding: str) -> None:
        enc = encoding.strip().lower()
        self.inflate = Inflate(enc) if enc in ("gzip", "x-gzip", "deflate") else None
        self.cap = target.settings.max_body_bytes
        self.text = target.expect_body
        self.want = target.expect_body.encode("utf-8") if target.expect_body else None
        self.tail = b""
        self.wire = self.decoded = 0
        self.found = self.over = self.complete = False

    @property
    def full(self) -> bool:
        return self.wire >= self.cap

    def feed(self, data: bytes | bytearray | memoryview) -> None:
        piece = bytes(data[: self.cap - self.wire])
        self.wire += len(piece)
        if self.found or not piece:
            return  # only the framing is still being checked
        if self.inflate is not None:
            if self.decoded >= self.cap:
                self.over = True
                return
            piece, more = self.inflate.feed(piece, self.cap - self.decoded)
            self.decoded += len(piece)
            self.over = self.over or more
        if self.want is not None:
            buf = self.tail + piece
            self.found = self.want in buf
            self.tail = buf[-len(self.want) :]

    def finish(self, extra: dict[str, object]) -> str:
        """Record the sizes in the result's ``extra``; return the body problem or ''."""
        extra["body_bytes"] = self.wire
        if self.inflate is not None:
            extra["body_decoded_bytes"] = self.decoded
        if self.over or not self.complete:
            extra["body_capped"] = True
        if self.want is None or self.found:
            return ""
        if self.over:
            return (
                f"{self.text!r} not in the first {self.cap} bytes of the decoded body (it "
                f"decodes to more than max_body_bytes; {self.wire} bytes on the wire)"
            )
        return f"{self.text!r} not in the first {self.cap} bytes of the body"


class Inflate:
    """gzip or deflate, decoding at most what the caller has room for.

    ``zlib``'s ``max_length`` leaves the input it did not decode in
    ``unconsumed_tail``; that rest means "more than the room", never a broken stream.
    "deflate" is meant to be zlib-wrapped; some servers send it raw, so a body whose
    first bytes are not a zlib header is decoded raw (as browsers and curl do).
    """

    def __init__(self, enc: str) -> None:
        self.enc = "deflate" if enc == "deflate" else "gzip"
        bits = zlib.MAX_WBITS if self.enc == "deflate" else 16 + zlib.MAX_WBITS
        self.d = zlib.decompressobj(bits)
        # What was fed until two bytes (the zlib header) were accepted; None after.
        self.head: bytes | None = b"" if self.enc == "deflate" else None

    def feed(self, data: bytes, room: int) -> tuple[bytes, bool]:
        """(decoded bytes, at most ``room``; whether more is left than fitted)."""
        try:
            out = self.d.decompress(data, room)
        except zlib.error as exc:
            if self.head is not None:  # not a zlib header: raw deflate, from the start
                replay, self.head = self.head + data, None
                self.d = zlib.decompressobj(-zlib.MAX_WBITS)
                return self.feed(replay, room)
            raise CheckFailed("protocol_error", f"bad {self.enc} body: {exc}") from exc
        if self.head is not None:
            self.head = None if len(self.head) + len(data) >= 2 else self.head + data
        return out, bool(self.d.unconsumed_tail)
