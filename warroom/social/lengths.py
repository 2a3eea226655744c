"""How long a post is, counted the way each network counts it.

- Mastodon: grapheme clusters, with every ``http(s)://`` link counted as 23 characters
  whatever its length and a remote mention ``@user@domain`` counted as ``@user``
  (Mastodon's ``StatusLengthValidator``); the limit is the server's
  ``configuration.statuses.max_characters`` (500 when the server does not say).
- Bluesky: 300 grapheme clusters of the text as written (links count in full) and at
  most 3,000 bytes of UTF-8; links and hashtags become rich-text facets whose indices
  are UTF-8 *byte* offsets (``app.bsky.richtext.facet``).
- Statuspage: an incident update body; we cap it at 5,000 characters to stay readable.

Grapheme clusters come from the ``regex`` module's ``\\X`` (current Unicode), so a family
emoji or a flag counts once, as the apps count it.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TypedDict

import regex

MASTODON_DEFAULT_LIMIT = 500
MASTODON_URL_LENGTH = 23
BLUESKY_GRAPHEMES = 300
BLUESKY_BYTES = 3000
STATUSPAGE_LIMIT = 5000

_GRAPHEME = regex.compile(r"\X")
_URL = regex.compile(r"(?<![\w@/.])https?://[^\s<>\"'`]+", regex.IGNORECASE)
_TRAILING = ".,;:!?'\"*"
_MENTION = regex.compile(
    r"(?<![\w/@])(@[A-Za-z0-9_]+(?:\.[A-Za-z0-9_]+)*)@[A-Za-z0-9.-]*[A-Za-z0-9]"
)
_TAG = regex.compile(r"(?:^|(?<=\s))[#＃]([^\s#＃]+)")
_TAG_CHAR = regex.compile(r"[^\d\s\p{P}]")


@dataclass(frozen=True, slots=True)
class Count:
    """A length measured against a limit, in the unit the network uses."""

    used: int
    limit: int
    unit: str  # "characters" or "graphemes"
    problem: str = ""  # a second rule broken (Bluesky's byte limit), else ""

    @property
    def remaining(self) -> int:
        return self.limit - self.used

    @property
    def over(self) -> bool:
        return self.used > self.limit or bool(self.problem)

    def __str__(self) -> str:
        text = f"{self.used}/{self.limit} {self.unit}"
        return f"{text}; {self.problem}" if self.problem else text


def graphemes(text: str) -> int:
    """The number of user-perceived characters (extended grapheme clusters)."""
    return len(_GRAPHEME.findall(text))


def _trim(url: str) -> str:
    """Drop punctuation that ends the sentence, not the link (and unbalanced brackets)."""
    while url:
        last = url[-1]
        if last in _TRAILING or (last == ")" and url.count("(") < url.count(")")):
            url = url[:-1]
        else:
            break
    return url


def link_spans(text: str) -> list[tuple[int, int, str]]:
    """``(start, end, url)`` in code-point indices for each http(s) link in ``text``."""
    out = []
    for m in _URL.finditer(text):
        url = _trim(m.group(0))
        if len(url) > len(m.group(0).split("://", 1)[0]) + 3:
            out.append((m.start(), m.start() + len(url), url))
    return out


def mastodon_count(text: str, limit: int | None = None) -> Count:
    """Mastodon's count: graphemes, each link 23, remote mentions by their local part."""
    lim = limit or MASTODON_DEFAULT_LIMIT
    pieces: list[str] = []
    pos = 0
    for start, end, _url in link_spans(text):
        pieces.append(text[pos:start])
        pieces.append("x" * MASTODON_URL_LENGTH)
        pos = end
    pieces.append(text[pos:])
    countable = _MENTION.sub(lambda m: m.group(1), "".join(pieces))
    return Count(graphemes(countable), lim, "characters")


def bluesky_count(text: str) -> Count:
    """300 graphemes and 3,000 UTF-8 bytes (the lexicon's two limits for post text)."""
    size = len(text.encode("utf-8"))
    problem = f"{size}/{BLUESKY_BYTES} bytes" if size > BLUESKY_BYTES else ""
    return Count(graphemes(text), BLUESKY_GRAPHEMES, "graphemes", problem)


def statuspage_count(text: str) -> Count:
    return Count(len(text), STATUSPAGE_LIMIT, "characters")


def _byte_index(text: str, index: int) -> int:
    return len(text[:index].encode("utf-8"))


class ByteSlice(TypedDict):
    """``app.bsky.richtext.facet#byteSlice``: UTF-8 byte offsets, end exclusive."""

    byteStart: int
    byteEnd: int


# ``app.bsky.richtext.facet`` (the lexicon's ``$type`` is no Python name, hence the call
# form); a feature is ``#link`` {``$type``, ``uri``} or ``#tag`` {``$type``, ``tag``}.
Facet = TypedDict("Facet", {"$type": str, "index": ByteSlice, "features": list[dict[str, str]]})


def bluesky_facets(text: str) -> list[Facet]:
    """Link and hashtag facets (``app.bsky.richtext.facet``) with UTF-8 byte offsets."""
    facets: list[Facet] = []
    for start, end, url in link_spans(text):
        facets.append(
            {
                "$type": "app.bsky.richtext.facet",
                "index": {"byteStart": _byte_index(text, start), "byteEnd": _byte_index(text, end)},
                "features": [{"$type": "app.bsky.richtext.facet#link", "uri": url}],
            }
        )
    links = [(s, e) for s, e, _ in link_spans(text)]
    for m in _TAG.finditer(text):
        tag = m.group(1).rstrip(_TRAILING + ")")
        if not tag or not _TAG_CHAR.search(tag) or graphemes(tag) > 64:
            continue
        start = m.start(1) - 1  # include the '#'
        end = m.start(1) + len(tag)
        if any(s <= start < e for s, e in links):
            continue  # a '#fragment' inside a link
        facets.append(
            {
                "$type": "app.bsky.richtext.facet",
                "index": {"byteStart": _byte_index(text, start), "byteEnd": _byte_index(text, end)},
                "features": [{"$type": "app.bsky.richtext.facet#tag", "tag": tag}],
            }
        )
    facets.sort(key=lambda f: f["index"]["byteStart"])
    return facets


def count_for(kind: str, text: str, *, mastodon_limit: int | None = None) -> Count:
    """The count for a channel kind (mastodon, bluesky, statuspage)."""
    if kind == "mastodon":
        return mastodon_count(text, mastodon_limit)
    if kind == "bluesky":
        return bluesky_count(text)
    return statuspage_count(text)
