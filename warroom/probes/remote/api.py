"""What the two probe-network clients share: one JSON-over-HTTP call, its failures,
the quota the API reports, and the meter that keeps us inside our own hourly budget.

A failure of the API (down, slow, garbage, refused key, rate limit) is an ``ApiError``
about the *vantage*, never a verdict about a target: the runner turns it into a note on
that vantage's cells ("world: API unreachable since 10:42").
"""

from __future__ import annotations

import json
import time
from collections import deque
from collections.abc import Callable, Mapping
from dataclasses import dataclass

import httpx

# ApiError.kind: what went wrong, in one word the note and the tests can rely on.
UNREACHABLE = "unreachable"  # connection refused, reset, DNS of the API host
SLOW = "slow"  # no answer within the request timeout
GARBAGE = "garbage"  # an answer that is not the JSON the spec promises
UNAUTHORIZED = "unauthorized"  # wrong or missing token / API key
RATE_LIMITED = "rate_limited"  # 429 rate_limit_exceeded (per-hour limit of the API)
NO_CREDITS = "no_credits"  # 429 insufficient_credits (Globalping), credit errors (Atlas)
UNKNOWN_LOCATION = "unknown_location"  # no probes match a location string
API_ERROR = "api_error"  # any other refusal, with the API's own message


class ApiError(Exception):
    """The probe network did not do what we asked; ``str()`` is one human line."""

    def __init__(self, kind: str, message: str, *, retry_after: float | None = None) -> None:
        super().__init__(message)
        self.kind = kind
        self.message = message
        self.retry_after = retry_after


@dataclass(frozen=True, slots=True)
class Quota:
    """What the API last said about our limits (None: it did not say)."""

    limit: int | None = None
    remaining: int | None = None
    reset_s: float | None = None
    credits: int | None = None  # Globalping credits / RIPE Atlas balance

    def words(self) -> str:
        parts = []
        if self.remaining is not None:
            of = f" of {self.limit}" if self.limit is not None else ""
            parts.append(f"{self.remaining}{of} tests left this hour")
        if self.credits is not None:
            parts.append(f"{self.credits} credits")
        return ", ".join(parts)


def _int(v: str | None) -> int | None:
    try:
        return int(v) if v is not None else None
    except ValueError:
        return None


async def call(
    http: httpx.AsyncClient,
    method: str,
    url: str,
    *,
    headers: dict[str, str],
    body: Mapping[str, object] | None = None,
    timeout: float,
    errors: Callable[[httpx.Response, object], ApiError],
) -> tuple[httpx.Response, object]:
    """One request; JSON in and out. Transport failures and non-2xx become ApiError via
    ``errors`` (the API's own error shape); a 2xx that is not JSON is GARBAGE. The
    decoded answer is ``object``: the caller narrows it (``base.jsonval``)."""
    try:
        resp = await http.request(
            method,
            url,
            headers={"Accept": "application/json", **headers},
            content=None if body is None else json.dumps(body).encode(),
            timeout=timeout,
        )
    except httpx.TimeoutException as exc:
        raise ApiError(SLOW, f"no answer within {timeout:g}s") from exc
    except httpx.HTTPError as exc:
        raise ApiError(UNREACHABLE, f"cannot reach the API ({type(exc).__name__})") from exc
    data: object
    try:
        data = resp.json() if resp.content else None
    except ValueError as exc:
        data = None
        if resp.is_success:
            raise ApiError(
                GARBAGE, f"HTTP {resp.status_code} with a body that is not JSON"
            ) from exc
    if not resp.is_success:
        raise errors(resp, data)
    return resp, data


class Budget:
    """Remote tests per sliding hour (``[probe] remote_budget_per_hour``); ``take`` never
    lets the hour's total pass the limit. Wall-clock times, so that spending kept in the
    workspace (``ledger``: what other processes spent too) counts the same way."""

    WINDOW_S = 3600.0

    def __init__(self, per_hour: int, clock: Callable[[], float] = time.time) -> None:
        self.per_hour = per_hour
        self._clock = clock
        self._spent: deque[tuple[float, int]] = deque()
        self.unsaved: list[tuple[float, int]] = []  # taken since the last ``saved()``

    def load(self, entries: list[tuple[float, int]]) -> None:
        """Replace what we know with the workspace's ledger (it includes our own)."""
        self._spent = deque(sorted(entries))
        self._spent.extend(self.unsaved)

    def saved(self) -> None:
        self.unsaved = []

    def _trim(self) -> None:
        cut = self._clock() - self.WINDOW_S
        while self._spent and self._spent[0][0] <= cut:
            self._spent.popleft()

    def used(self) -> int:
        self._trim()
        return max(0, sum(n for _, n in self._spent))

    def left(self) -> int:
        return max(0, self.per_hour - self.used())

    def take(self, n: int) -> bool:
        if n > self.left():
            return False
        self._add(n)
        return True

    def give_back(self, n: int) -> None:
        """A measurement the API refused (or that found fewer probes) cost less. The
        refund carries the time of the newest spending, so both leave the window
        together and a refund never frees more than was spent in the hour."""
        if n <= 0:
            return
        self._trim()
        spent = [t for t, k in self._spent if k > 0]
        if spent:
            self._add(-n, at=spent[-1])

    def _add(self, n: int, at: float | None = None) -> None:
        entry = (self._clock() if at is None else at, n)
        self._spent.append(entry)
        self.unsaved.append(entry)
