"""ICMP echo without privileges where the system allows it.

Tried in order: the unprivileged ``SOCK_DGRAM`` ICMP socket (Linux needs the group in
``net.ipv4.ping_group_range``; macOS allows it), a raw socket (only when we happen to
have the privilege), then the system ``ping`` program. When none works the check ends
in ``not_supported`` with a line saying why, instead of pretending the host is down.
"""

from __future__ import annotations

import asyncio
import contextlib
import os
import re
import shutil
import socket
import struct
import sys
import time

from warroom.probes.errors import CheckFailed

DEFAULT_METHODS = ("dgram", "raw", "ping")
_seq = 0


def _checksum(data: bytes) -> int:
    if len(data) % 2:
        data += b"\x00"
    s: int = sum(struct.unpack(f"!{len(data) // 2}H", data))
    s = (s >> 16) + (s & 0xFFFF)
    s += s >> 16
    return ~s & 0xFFFF


def _packet(family: int, ident: int, seq: int) -> bytes:
    typ = 8 if family == 4 else 128
    payload = b"warroom-probe" + struct.pack("!d", time.time())
    header = struct.pack("!BBHHH", typ, 0, 0, ident, seq)
    csum = _checksum(header + payload) if family == 4 else 0  # the kernel does v6 sums
    return struct.pack("!BBHHH", typ, 0, csum, ident, seq) + payload


async def _socket_ping(address: str, family: int, timeout: float, kind: int) -> float:
    global _seq
    af = socket.AF_INET if family == 4 else socket.AF_INET6
    proto = socket.IPPROTO_ICMP if family == 4 else socket.IPPROTO_ICMPV6
    sock = socket.socket(af, kind, proto)  # PermissionError when not allowed
    sock.setblocking(False)
    loop = asyncio.get_running_loop()
    try:
        _seq = (_seq + 1) & 0xFFFF
        ident = os.getpid() & 0xFFFF
        seq = _seq
        t0 = time.perf_counter()
        sock.sendto(_packet(family, ident, seq), (address, 0))  # one small datagram
        reply_type = 0 if family == 4 else 129
        async with asyncio.timeout(timeout):
            while True:
                data, src = await _recvfrom(loop, sock)
                if kind == socket.SOCK_RAW and family == 4:
                    data = data[(data[0] & 0x0F) * 4 :]  # raw v4 includes the IP header
                if len(data) < 8:
                    continue
                typ, _code, _c, rid, rseq = struct.unpack("!BBHHH", data[:8])
                if typ != reply_type or rseq != seq:
                    continue
                # DGRAM sockets get their id rewritten by the kernel; raw ones must match.
                if kind == socket.SOCK_RAW and rid != ident:
                    continue
                if str(src[0]).split("%")[0] != address.split("%")[0]:
                    continue
                return (time.perf_counter() - t0) * 1000.0
    finally:
        sock.close()


# What recvfrom gives on an ICMP socket: (host, port) for IPv4, plus flow and scope for IPv6.
_Addr = tuple[str, int] | tuple[str, int, int, int]


async def _recvfrom(loop: asyncio.AbstractEventLoop, sock: socket.socket) -> tuple[bytes, _Addr]:
    """``loop.sock_recvfrom`` for any loop: uvloop (the engine's) does not have it."""
    try:
        return sock.recvfrom(2048)
    except BlockingIOError:
        pass
    fut: asyncio.Future[tuple[bytes, _Addr]] = loop.create_future()

    def ready() -> None:
        if fut.done():
            return
        try:
            fut.set_result(sock.recvfrom(2048))
        except BlockingIOError:
            return
        except OSError as exc:
            fut.set_exception(exc)

    loop.add_reader(sock.fileno(), ready)
    try:
        return await fut
    finally:
        loop.remove_reader(sock.fileno())


async def _system_ping(address: str, family: int, timeout: float) -> float:
    exe = shutil.which("ping6" if family == 6 and shutil.which("ping6") else "ping")
    if not exe:
        raise FileNotFoundError("ping")
    wait = max(1, int(timeout + 0.999))
    if sys.platform == "darwin":
        args = [exe, "-n", "-c", "1", "-t", str(wait), address]
    elif sys.platform.startswith("win"):
        args = [exe, "-n", "1", "-w", str(int(timeout * 1000)), address]
    else:
        args = [exe, "-n", "-c", "1", "-W", str(wait)]
        if family == 6 and exe.endswith("ping"):
            args.append("-6")
        args.append(address)
    proc = await asyncio.create_subprocess_exec(
        *args, stdout=asyncio.subprocess.PIPE, stderr=asyncio.subprocess.STDOUT
    )
    try:
        out, _ = await proc.communicate()
    except BaseException:
        with contextlib.suppress(ProcessLookupError):
            proc.kill()
        raise
    text = out.decode("utf-8", "replace")
    m = re.search(r"time[=<]\s*([\d.]+)\s*ms", text)
    if proc.returncode == 0 and m:
        return float(m.group(1))
    if "not permitted" in text.lower() or "permission" in text.lower():
        raise PermissionError(text.strip().splitlines()[-1] if text.strip() else "ping")
    raise CheckFailed("timeout", f"no echo reply from {address}")


async def ping(
    address: str, family: int, timeout: float, methods: tuple[str, ...] = DEFAULT_METHODS
) -> tuple[float, str]:
    """Round-trip time in ms and the method that worked; raises on failure."""
    why: list[str] = []
    for method in methods:
        try:
            if method == "dgram":
                return await _socket_ping(address, family, timeout, socket.SOCK_DGRAM), method
            if method == "raw":
                return await _socket_ping(address, family, timeout, socket.SOCK_RAW), method
            if method == "ping":
                return await _system_ping(address, family, timeout), method
        except PermissionError:
            why.append(f"{method}: not permitted")
        except FileNotFoundError:
            why.append(f"{method}: no ping program")
        except OSError as exc:
            if exc.errno in (93, 94, 97):  # protocol / socket type / family not supported
                why.append(f"{method}: {exc.strerror}")
                continue
            raise
    raise CheckFailed("not_supported", "ICMP not possible here (" + "; ".join(why) + ")")
