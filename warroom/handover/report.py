"""The post-incident report draft: written from the record, honest about measurements.

The draft is Markdown, so a person can edit it (GUI report editor, or any editor) and
then export Markdown or HTML (``report_html`` renders and sanitises it). Measured
facts come from the milestones and from probe samples; wording that plays the outage
down while every vantage point saw it down is flagged (``facts.wording_findings``).
"""

from __future__ import annotations

import itertools
from dataclasses import dataclass

from warroom.base import timeutil
from warroom.base.errors import NotFound
from warroom.domain.incidents import Entry
from warroom.handover import html as h
from warroom.handover.facts import Measurements, WordingFinding, measure_downtime, wording_findings
from warroom.handover.text import md_block, md_inline, render_markdown
from warroom.handover.view import ExportView, duration, load_view
from warroom.store import handover as hq
from warroom.store import timeline as q
from warroom.store.db import Store

TODO = "_[To be written]_"


@dataclass
class ReportDraft:
    view: ExportView
    measurements: Measurements
    findings: list[WordingFinding]
    markdown: str

    @property
    def title(self) -> str:
        return f"Post-incident report: {self.view.incident.title}"


def _texts_to_check(v: ExportView) -> list[tuple[str, str]]:
    inc, c = v.incident, v.clock
    texts = [
        ("the incident summary", inc.summary),
        ("the impact statement", inc.impact),
        ("the root cause", inc.root_cause),
    ]
    for e in v.entries:
        if e.kind == "comms" or e.external:
            texts.append((f"the {e.kind} entry of {c.full(e.occurred_at)}", e.text))
    return texts


def check_text(store: Store, incident_id: str, text: str) -> list[WordingFinding]:
    """Check an edited report text against the measurements (the GUI editor uses it)."""
    inc = q.get_incident(store, incident_id)  # not the whole view: this runs per edit
    if inc is None:
        raise NotFound(f"no incident {incident_id!r}")
    m = measure_downtime(store, inc.start, inc.resolved_at or timeutil.now_str())
    return wording_findings([("the report", text)], m)


def build_report(
    store: Store, incident_id: str, *, tz: str | None = None, author: str = ""
) -> ReportDraft:
    # Only the entries the report reads (pinned, comms, external): all of them took
    # 0.8 s at 100,000 entries, on the UI thread as the editor opened.
    v = load_view(store, incident_id, tz=tz, generated_by=author, rows=hq.read_report_rows)
    inc = v.incident
    end = inc.resolved_at or v.generated_at
    m = measure_downtime(store, inc.start, end)
    findings = wording_findings(_texts_to_check(v), m)
    md = _markdown(v, m, findings)
    return ReportDraft(v, m, findings, md)


def _milestone_facts(v: ExportView) -> list[str]:
    inc, c = v.incident, v.clock
    out = []
    for label, value in (
        ("Impact started", inc.started_at),
        ("Detected", inc.detected_at),
        ("Mitigated", inc.mitigated_at),
        ("Resolved", inc.resolved_at),
    ):
        out.append(f"- {label}: {c.full(value) if value else '_(not recorded)_'}")
    start = inc.started_at or inc.detected_at
    if start and inc.resolved_at:
        out.append(f"- **Duration of impact: {duration(start, inc.resolved_at)}**")
    elif start:
        out.append(f"- Duration so far (not resolved): {duration(start, v.generated_at)}")
    if inc.started_at and inc.detected_at:
        out.append(f"- Time to detect: {duration(inc.started_at, inc.detected_at)}")
    if start and inc.mitigated_at:
        out.append(f"- Time to mitigate: {duration(start, inc.mitigated_at)}")
    return out


def _probe_table(m: Measurements, v: ExportView) -> list[str]:
    if not m.has_data:
        return ["_(no probe data for this period)_"]
    c = v.clock
    out = [
        "| Target | Seen down from | Down (any vantage) | Down (every vantage) | First down |",
        "|---|---|---|---|---|",
    ]
    for t in m.targets:
        seen = f"{len(t.down_vantages)} of {len(t.vantages)}"
        if t.down_vantages:
            seen += f" ({', '.join(md_inline(x) for x in t.down_vantages)})"
        out.append(
            f"| {md_inline(t.target)} | {seen} | {timeutil.fmt_duration(t.down_any_s)} | "
            f"{timeutil.fmt_duration(t.down_all_s)} | "
            f"{c.full(t.first_down) if t.first_down else '—'} |"
        )
    remote = [(t, figs) for t, figs in sorted(m.remote.items()) if figs]
    if remote:
        out.append("")
        out += [
            f"- {md_inline(t)} from other networks: {md_inline('; '.join(f))}" for t, f in remote
        ]
    return out


def _pinned_timeline(v: ExportView) -> list[str]:
    inc, c = v.incident, v.clock
    moments: list[tuple[str, str]] = []
    for label, value in (
        ("Impact started", inc.started_at),
        ("Detected", inc.detected_at),
        ("Mitigated", inc.mitigated_at),
        ("Resolved", inc.resolved_at),
    ):
        if value:
            moments.append((value, f"**{label}**"))
    e: Entry
    for e in v.pinned:
        # One line: the text as plain words (a fence or list would not survive joining).
        text = md_inline(" ".join(e.text.split()))
        moments.append((e.occurred_at, f"{text} _({e.kind}, {md_inline(e.author)})_"))
    moments.sort(key=lambda x: x[0])
    return [f"- {c.day(t)} {c.time(t)} — {what}" for t, what in moments] or ["_(nothing pinned)_"]


def _comms_facts(v: ExportView) -> tuple[list[str], list[str]]:
    inc = v.incident
    well: list[str] = []
    not_well: list[str] = []
    public = [e for e in v.entries if e.kind == "comms" and e.external]
    if public and inc.detected_at:
        first = public[0]
        secs = (
            timeutil.parse_utc(first.occurred_at) - timeutil.parse_utc(inc.detected_at)
        ).total_seconds()
        took = f"First public update {timeutil.fmt_duration(secs)} after detection."
        (well if secs <= 1800 else not_well).append(took)
    elif not public:
        not_well.append("No public update is recorded in the timeline.")
    if len(public) > 1:
        gaps = [
            (timeutil.parse_utc(b.occurred_at) - timeutil.parse_utc(a.occurred_at)).total_seconds()
            for a, b in itertools.pairwise(public)
        ]
        longest = max(gaps)
        (not_well if longest > 3600 else well).append(
            f"{len(public)} public updates; the longest gap between two was "
            f"{timeutil.fmt_duration(longest)}."
        )
    return well, not_well


def _apology(v: ExportView, m: Measurements) -> str:
    inc = v.incident
    start = inc.started_at or inc.detected_at
    span = duration(start, inc.resolved_at) if start and inc.resolved_at else "[duration]"
    services = md_inline(", ".join(inc.affected_services)) or "[services]"
    everyone = any(t.all_vantages_down for t in m.targets)
    scope = (
        "for all of you, over every network we measured" if everyone else "for [who was affected]"
    )
    return (
        f"We are sorry. For {span}, {services} could not be reached {scope}. "
        "You rely on us to keep your sites and mail running, and we did not. "
        "[Say what this meant for customers, in their words, and what we will do.]"
    )


def _markdown(v: ExportView, m: Measurements, findings: list[WordingFinding]) -> str:
    inc, c = v.incident, v.clock
    well, not_well = _comms_facts(v)
    lines = [
        f"# Post-incident report: {md_inline(inc.title)}",
        "",
        f"_Draft generated from the Warroom record on {c.full(v.generated_at)}. "
        f"Incident `{inc.id}`, {inc.severity}, {inc.status}. Times in {md_inline(c.name)}"
        + ("" if c.is_utc else " with UTC in brackets")
        + "._",
        "",
    ]
    if findings:
        lines += [
            "> **Wording check: the measurements contradict this text.**",
            ">",
        ]
        for f in findings:
            lines.append(
                f'> - "{md_inline(f.phrase)}" in {md_inline(f.where)}: '
                f"{md_inline(f.contradiction)}."
            )
        lines += [
            ">",
            "> Describe the impact as customers experienced it. (Delete this box when done.)",
            "",
        ]
    lines += [
        "## Summary",
        "",
        md_block(inc.summary.strip()) or TODO,
        "",
        "## Apology",
        "",
        _apology(v, m),
        "",
        "## Impact",
        "",
        md_block(inc.impact.strip()) or TODO,
        "",
    ]
    if inc.affected_services:
        lines += [f"Affected services: {md_inline(', '.join(inc.affected_services))}", ""]
    lines += ["### Measured facts", "", *_milestone_facts(v), "", *_probe_table(m, v), ""]
    lines += ["## Timeline", "", *_pinned_timeline(v), ""]
    lines += [
        "## Root cause and contributing factors",
        "",
        md_block(inc.root_cause.strip()) or TODO,
        "",
        "Contributing factors:",
        "",
        f"- {TODO}",
        "",
        "## What went well",
        "",
        *[f"- {x}" for x in well],
        f"- {TODO}",
        "",
        "## What did not go well",
        "",
        *[f"- {x}" for x in not_well],
        f"- {TODO}",
        "",
        "## Lessons and measures",
        "",
    ]
    if v.actions:
        lines += ["| Measure | Owner | Due | Status |", "|---|---|---|---|"]
        for a in v.actions:
            lines.append(
                f"| {md_inline(a.text)} | {md_inline(a.owner) or '**owner needed**'} | "
                f"{c.full(a.due) if a.due else '—'} | {'done' if a.done else 'open'} |"
            )
    else:
        lines.append(f"- {TODO}")
    lines.append("")
    return "\n".join(lines)


def report_html(markdown_text: str, title: str) -> str:
    """A self-contained page from (possibly edited) report Markdown, sanitised."""
    from warroom.base.markup import render_markdown_full

    body = render_markdown_full(markdown_text)
    return h.page_start(title) + body + "\n</body>\n</html>\n"


__all__ = ["ReportDraft", "build_report", "check_text", "render_markdown", "report_html"]
