"""The static public status page: one self-contained HTML file, hostable anywhere.

When the company's own site is down, a plain file on any host outside its network (an
object store, a friend's server, a pastebin that serves HTML) still tells customers what
is going on. ``render(view)`` builds it from what is already public:

- the updates that were published (``comms`` entries whose publication succeeded; the
  same text sent to several channels is one update, naming where it went);
- timeline entries marked ``external`` (not hidden).

Nothing internal (other entries, probe details, people's names) appears. The file has
inline CSS, no scripts, no fonts, no images and no remote loads; a Content Security
Policy forbids them as a second line of defence. Every piece of text is escaped
(``warroom.base.markup.esc``) and external entries' Markdown is rendered and sanitised
by the app's one renderer (nh3), so a hostile text stays text.
"""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime, tzinfo
from typing import TYPE_CHECKING

from warroom.base import timeutil
from warroom.base.jsonval import as_object
from warroom.base.markup import CSP, esc, render_markdown
from warroom.social.channels import KIND_LABEL
from warroom.social.lengths import link_spans

if TYPE_CHECKING:
    from warroom.domain.incidents import Entry
    from warroom.social.channels import CommsSettings
    from warroom.store.db import Store

STAGE_LABEL = {
    "investigating": ("Investigating", "We are investigating a problem."),
    "identified": ("Identified", "The cause has been identified; a fix is under way."),
    "monitoring": ("Monitoring", "A fix is in place; we are watching the recovery."),
    "resolved": ("Resolved", "The incident is resolved."),
}
STAGE_MARK = {"investigating": "!", "identified": "!", "monitoring": "~", "resolved": "✓"}


@dataclass(frozen=True, slots=True)
class Update:
    """One public message: a published update or an external entry."""

    at: datetime
    text: str
    stage: str = ""
    links: tuple[tuple[str, str], ...] = ()  # (where, URL) of the published copies
    markdown: bool = False  # an external timeline entry (Markdown), not a post (plain)


@dataclass(frozen=True, slots=True)
class StatusView:
    title: str
    stage: str
    updates: Sequence[Update]  # newest first
    generated_at: datetime
    next_update: datetime | None = None
    service: str = ""


def _meta(e: Entry) -> dict[str, object]:
    comms = (e.meta or {}).get("comms") if isinstance(e.meta, dict) else None
    return as_object(comms)


@dataclass
class _Group:
    """One published text: its first time and where it went."""

    at: datetime
    links: list[tuple[str, str]]


def collect(entries: Sequence[Entry]) -> list[Update]:
    """Public updates from an incident's entries, newest first (hidden ones never)."""
    grouped: dict[tuple[str, str], _Group] = {}
    others: list[Update] = []
    for e in entries:
        if getattr(e, "hidden", False):
            continue
        m = _meta(e)
        at = timeutil.parse_utc(e.occurred_at)
        text = m.get("text")
        if e.kind == "comms" and m.get("state") == "published" and isinstance(text, str):
            key = (text, str(m.get("stage") or ""))
            g = grouped.setdefault(key, _Group(at, []))
            g.at = min(g.at, at)
            url = m.get("url")
            if isinstance(url, str) and url.startswith(("https://", "http://")):
                where = KIND_LABEL.get(str(m.get("kind")), "elsewhere")
                if (where, url) not in g.links:
                    g.links.append((where, url))
        elif getattr(e, "external", False):
            others.append(Update(at, e.text, markdown=True))
    ups = [Update(g.at, text, stage, tuple(g.links)) for (text, stage), g in grouped.items()]
    return sorted([*ups, *others], key=lambda u: u.at, reverse=True)


def view_for(
    store: Store, incident_id: str, *, settings: CommsSettings | None = None
) -> StatusView:
    """The page's content for an incident in a workspace."""
    from warroom.services.timeline import Timeline
    from warroom.store.timeline import EntryFilter

    tl = Timeline(store, author="system")
    inc = tl.incident(incident_id)
    updates = collect(tl.entries(EntryFilter(incident=inc.id)))
    stage = next((u.stage for u in updates if u.stage), "") or str(inc.status)
    if str(inc.status) == "resolved":
        stage = "resolved"
    due = None
    if stage != "resolved" and inc.next_update_due:
        due = timeutil.parse_utc(inc.next_update_due)
    return StatusView(
        title=inc.title,
        stage=stage,
        updates=updates,
        generated_at=timeutil.now(),
        next_update=due,
        service=str(getattr(settings, "service", "") or ""),
    )


CSS = """
:root { color-scheme: light dark; }
body { font: 16px/1.5 system-ui, -apple-system, "Segoe UI", Roboto, Arial, sans-serif;
  margin: 0 auto; max-width: 44rem; padding: 1.5rem 1.25rem 3rem; color: #1b1f24;
  background: #fff; }
h1 { font-size: 1.5rem; margin: 0 0 1rem; }
.banner { border: 2px solid; border-radius: .5rem; padding: .9rem 1.1rem; margin: 0 0 1.5rem; }
.banner .state { font-size: 1.25rem; font-weight: 700; }
.banner .mark { display: inline-block; width: 1.6rem; height: 1.6rem; line-height: 1.6rem;
  text-align: center; border-radius: 50%; color: #fff; margin-right: .5rem; }
.s-investigating, .s-identified { border-color: #cf222e; background: #ffebe9; }
.s-investigating .mark, .s-identified .mark { background: #cf222e; }
.s-monitoring { border-color: #9a6700; background: #fff8c5; }
.s-monitoring .mark { background: #9a6700; }
.s-resolved { border-color: #1a7f37; background: #dafbe1; }
.s-resolved .mark { background: #1a7f37; }
.due { margin: .35rem 0 0; }
h2 { font-size: 1.1rem; margin: 1.5rem 0 .5rem; }
ol { list-style: none; padding: 0; margin: 0; }
li { border-left: 4px solid #d0d7de; padding: .4rem 0 .4rem .9rem; margin: 0 0 .9rem; }
.when { font-size: .9rem; color: #57606a; }
.stage { font-weight: 700; text-transform: uppercase; font-size: .78rem; letter-spacing: .04em;
  margin-right: .4rem; }
.text { white-space: pre-wrap; overflow-wrap: anywhere; margin: .2rem 0; }
.where { font-size: .85rem; color: #57606a; }
footer { margin-top: 2.5rem; font-size: .85rem; color: #57606a; }
@media (prefers-color-scheme: dark) {
  body { background: #0d1117; color: #e6edf3; }
  .s-investigating, .s-identified { background: #3d1114; }
  .s-monitoring { background: #3b2e00; }
  .s-resolved { background: #0f2d18; }
  .when, .where, footer { color: #9198a1; }
}
"""


def _when(t: datetime, tz: tzinfo | None) -> str:
    local = timeutil.fmt_local(t, tz, seconds=False)
    utc = t.astimezone(UTC).strftime("%H:%M UTC")
    return local if local.endswith(("UTC", "GMT")) else f"{local} ({utc})"


def _linked(text: str) -> str:
    """Escaped text with its http(s) links clickable (and nothing else)."""
    out, pos = [], 0
    for start, end, url in link_spans(text):
        out.append(esc(text[pos:start]))
        out.append(f'<a href="{esc(url)}" rel="nofollow noopener noreferrer">{esc(url)}</a>')
        pos = end
    out.append(esc(text[pos:]))
    return "".join(out)


def iter_html(v: StatusView, *, tz: tzinfo | None = None) -> Iterator[str]:
    heading = f"{v.service} status" if v.service else "Service status"
    label, sentence = STAGE_LABEL.get(v.stage, (v.stage.title() or "Unknown", ""))
    yield (
        "<!DOCTYPE html>\n<html lang='en'>\n<head>\n<meta charset='utf-8'>\n"
        f"<meta http-equiv='Content-Security-Policy' content=\"{CSP}\">\n"
        "<meta name='referrer' content='no-referrer'>\n"
        "<meta name='robots' content='noindex'>\n"
        "<meta name='viewport' content='width=device-width, initial-scale=1'>\n"
        f"<title>{esc(heading)}: {esc(label)}</title>\n<style>{CSS}</style>\n</head>\n<body>\n"
    )
    yield f"<h1>{esc(heading)}</h1>\n"
    mark = STAGE_MARK.get(v.stage, "?")
    yield (
        f"<section class='banner s-{esc(v.stage)}' aria-live='polite'>"
        f"<div class='state'><span class='mark' aria-hidden='true'>{esc(mark)}</span>"
        f"{esc(label)}: {esc(v.title)}</div>"
    )
    if sentence:
        yield f"<p class='due'>{esc(sentence)}</p>"
    if v.next_update is not None:
        yield f"<p class='due'>Next update by {esc(_when(v.next_update, tz))}.</p>"
    yield "</section>\n<h2>Updates</h2>\n"
    if not v.updates:
        yield "<p>No public update yet.</p>\n"
    else:
        yield "<ol>\n"
        for u in v.updates:
            stage = STAGE_LABEL.get(u.stage, ("", ""))[0]
            yield "<li>"
            yield "<div class='when'>"
            if stage:
                yield f"<span class='stage'>{esc(stage)}</span>"
            yield f"<time datetime='{esc(timeutil.fmt(u.at))}'>{esc(_when(u.at, tz))}</time></div>"
            if u.markdown:
                yield f"<div class='text md'>{render_markdown(u.text)}</div>"
            else:
                yield f"<p class='text'>{_linked(u.text)}</p>"
            if u.links:
                links = " · ".join(
                    f'<a href="{esc(url)}" rel="nofollow noopener noreferrer">{esc(where)}</a>'
                    for where, url in u.links
                )
                yield f"<div class='where'>Posted on: {links}</div>"
            yield "</li>\n"
        yield "</ol>\n"
    yield (
        f"<footer>This page is a static copy, generated {esc(_when(v.generated_at, tz))}. "
        "It is updated by hand when new updates are published.</footer>\n</body>\n</html>\n"
    )


def render(v: StatusView, *, tz: tzinfo | None = None) -> str:
    return "".join(iter_html(v, tz=tz))
