"""Mapping whatever a check raised to one word of the CONTRACT.md error vocabulary.

Exceptions arrive wrapped (httpx wraps httpcore wraps OSError/ssl errors), so we walk the
``__cause__``/``__context__`` chain and let the most specific one decide.
"""

from __future__ import annotations

import errno
import socket
import ssl

# Cert verification codes from OpenSSL's x509_vfy.h.
_X509_EXPIRED = {10}  # X509_V_ERR_CERT_HAS_EXPIRED
_X509_NOT_YET = {9}
_X509_HOSTNAME = {62, 63, 64}  # hostname / email / IP mismatch
_X509_UNTRUSTED = {2, 18, 19, 20, 21, 27, 28}

_UNREACHABLE = {
    errno.ENETUNREACH,
    errno.EHOSTUNREACH,
    errno.EADDRNOTAVAIL,
    errno.EAFNOSUPPORT,
    errno.ENETDOWN,
    errno.EHOSTDOWN,
}

# Failures that a workstation without network would also see: the self-connectivity
# gate only sets these aside (an HTTP 500 proves the network works).
NETWORK_ERRORS = frozenset({"timeout", "dns_timeout", "unreachable", "refused", "reset"})


class CheckFailed(Exception):
    """Raised inside a check with a vocabulary word and one human line."""

    def __init__(self, error: str, detail: str) -> None:
        super().__init__(detail)
        self.error = error
        self.detail = detail


def _chain(exc: BaseException) -> list[BaseException]:
    out: list[BaseException] = []
    cur: BaseException | None = exc
    while cur is not None and cur not in out and len(out) < 10:
        out.append(cur)
        cur = cur.__cause__ or cur.__context__
    return out


def classify(exc: BaseException) -> tuple[str, str]:
    """(error word, detail line) for an exception raised by a check."""
    chain = _chain(exc)
    for e in chain:
        if isinstance(e, CheckFailed):
            return e.error, e.detail
    for e in chain:
        if isinstance(e, ssl.SSLCertVerificationError):
            code = getattr(e, "verify_code", None)
            msg = getattr(e, "verify_message", None) or str(e)
            if code in _X509_EXPIRED:
                return "tls_expired", f"certificate expired ({msg})"
            if code in _X509_HOSTNAME:
                return "tls_hostname", f"certificate does not match the host name ({msg})"
            if code in _X509_UNTRUSTED:
                return "tls_untrusted", f"certificate not trusted ({msg})"
            if code in _X509_NOT_YET:
                return "tls_error", f"certificate not yet valid ({msg})"
            return "tls_error", f"certificate rejected ({msg})"
    for e in chain:
        if isinstance(e, ConnectionRefusedError):
            return "refused", "connection refused"
        if isinstance(e, ConnectionResetError | BrokenPipeError | ConnectionAbortedError):
            return "reset", "connection reset by peer"
        if isinstance(e, socket.gaierror):
            return _gai(e)
        if isinstance(e, ssl.SSLError):
            return "tls_error", _tls_words(e)
        if isinstance(e, TimeoutError):
            return "timeout", "timed out"
        if isinstance(e, OSError) and e.errno in _UNREACHABLE:
            return "unreachable", e.strerror or str(e)
    name = type(exc).__name__
    text = str(exc) or name
    for e in chain:
        mod = type(e).__module__
        if mod.startswith(("httpx", "httpcore", "h11")):
            tname = type(e).__name__
            if "Timeout" in tname:
                return "timeout", "timed out"
            if tname in ("RemoteProtocolError", "LocalProtocolError", "ProtocolError"):
                return "protocol_error", f"HTTP protocol error: {e}"
            if tname == "ProxyError":
                return "unreachable", f"proxy: {e}"
            if tname in ("ReadError", "WriteError", "ConnectError", "NetworkError"):
                return "reset" if "reset" in str(e).lower() else "unreachable", str(e) or tname
        if isinstance(e, OSError):
            return "unreachable", e.strerror or str(e)
    return "protocol_error", f"{name}: {text}"


def _tls_words(e: ssl.SSLError) -> str:
    """One line for a TLS failure; the alerts a probe meets most get their meaning."""
    reason = str(getattr(e, "reason", None) or e)
    if "CERTIFICATE_REQUIRED" in reason:
        return f"server requires a client certificate ({reason})"
    if reason.endswith("ALERT_HANDSHAKE_FAILURE"):
        return (
            f"server refused the handshake ({reason}): no protocol or cipher in common, "
            "or it requires a client certificate"
        )
    return f"TLS handshake failed ({reason})"


def _gai(e: socket.gaierror) -> tuple[str, str]:
    code = e.errno
    msg = e.strerror or str(e)
    if code in (socket.EAI_NONAME, getattr(socket, "EAI_NODATA", -5)):
        return "dns_nxdomain", f"name not found ({msg})"
    if code == socket.EAI_AGAIN:
        return "dns_timeout", f"resolver did not answer ({msg})"
    if code == socket.EAI_FAIL:
        return "dns_servfail", f"resolver failed ({msg})"
    return "dns_servfail", msg
