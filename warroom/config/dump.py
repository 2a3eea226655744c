"""Writing the workspace TOML file: ``dumps(config)``, ``save(config, path)`` (atomic).

Comments are not kept: an editor that wants them keeps the text and only validates it.
"""

from __future__ import annotations

import json
import os
from dataclasses import fields
from pathlib import Path

from warroom.base.errors import WarroomError
from warroom.config import comms as comms_table
from warroom.domain.workspace import DURATION_SETTINGS as _DURATIONS
from warroom.domain.workspace import ProbeSettings, RemoteSpec, WorkspaceConfig


def _fmt_duration(seconds: float) -> str:
    ms = round(seconds * 1000)
    if ms % 1000:
        return f"{ms}ms"
    s = ms // 1000
    if s % 3600 == 0:
        return f"{s // 3600}h"
    if s % 60 == 0:
        return f"{s // 60}m"
    return f"{s}s"


def _value(v: object) -> str:
    if isinstance(v, bool):
        return "true" if v else "false"
    if isinstance(v, int):
        return str(v)
    if isinstance(v, float):
        return str(int(v)) if v.is_integer() else repr(v)
    if isinstance(v, str):
        return json.dumps(v, ensure_ascii=False)
    if isinstance(v, list | tuple):
        return "[" + ", ".join(_value(x) for x in v) + "]"
    raise TypeError(type(v))


def _setting(key: str, v: object) -> str:
    if key in _DURATIONS and isinstance(v, int | float):
        return _value(_fmt_duration(v))
    return _value(v)


def _remote(r: RemoteSpec) -> list[str]:
    if r.by == "asns":
        where: list[int] | list[str] = [int(x[2:]) for x in r.locations]
    else:
        where = list(r.locations)
    out = [f"{r.kind} = {_value(r.url)}", f"{r.by} = {_value(where)}", f"probes = {r.probes}"]
    if r.secret is not None:
        out.append(f"secret = {_value(r.secret)}")
    if r.interval is not None:
        out.append(f"interval = {_setting('interval', r.interval)}")
    return [*out, ""]


def dumps(config: WorkspaceConfig) -> str:
    """TOML text that ``parse_text`` reads back to an equal config (comments not kept)."""
    out: list[str] = []
    default = ProbeSettings()
    probe = [
        f"{f.name} = {_setting(f.name, getattr(config.probe, f.name))}"
        for f in fields(ProbeSettings)
        if getattr(config.probe, f.name) != getattr(default, f.name)
        and getattr(config.probe, f.name) is not None
    ]
    if probe:
        out += ["[probe]", *probe, ""]
    for v in config.vantages:
        out += ["[[vantage]]", f"name = {_value(v.name)}"]
        if v.remote is not None:
            out += _remote(v.remote)
            continue
        for key in ("resolver", "family", "proxy"):
            if getattr(v, key) is not None:
                out.append(f"{key} = {_value(getattr(v, key))}")
        out.append("")
    for t in config.targets:
        out += ["[[target]]", f"name = {_value(t.name)}", f"url = {_value(t.url)}"]
        for key in (
            "expect_status",
            "expect_body",
            "ca_file",
            "vantages",
            "expect_banner",
            "expect_answer",
            "server",
        ):
            if getattr(t, key) is not None:
                out.append(f"{key} = {_value(getattr(t, key))}")
        if not t.follow_redirects:
            out.append("follow_redirects = false")
        if t.check == "dns" and t.record != "A":
            out.append(f"record = {_value(t.record)}")
        for key in t.overrides:
            v = getattr(t.settings, key)
            if v is not None:
                out.append(f"{key} = {_setting(key, v)}")
        out.append("")
    for f in config.feeds:
        out += ["[[feed]]", f"name = {_value(f.name)}", f"{f.kind} = {_value(f.url)}"]
        for key in ("hashtag", "search", "handle", "secret"):
            if getattr(f, key) is not None:
                out.append(f"{key} = {_value(getattr(f, key))}")
        if f.interval is not None:
            out.append(f"interval = {_setting('interval', f.interval)}")
        out.append("")
    for ch in config.channels:
        out += ["[[channel]]", f"name = {_value(ch.name)}", f"{ch.kind} = {_value(ch.url)}"]
        for key in ("handle", "secret", "page_id", "visibility"):
            if getattr(ch, key) is not None:
                out.append(f"{key} = {_value(getattr(ch, key))}")
        if ch.components:
            pairs = ", ".join(f"{_value(k)} = {_value(v)}" for k, v in ch.components)
            out.append(f"components = {{ {pairs} }}")
        out.append("")
    out += comms_table.dump(config.comms, _value, lambda v: _setting("interval", v))
    return "\n".join(out).rstrip("\n") + "\n"


def save_text(text: str, path: str | os.PathLike[str]) -> None:
    """Write atomically (temp file + rename): a crash never leaves half a file."""
    p = Path(path)
    tmp = p.with_name(f".{p.name}.{os.getpid()}.tmp")
    try:
        with tmp.open("w", encoding="utf-8", newline="\n") as fh:
            fh.write(text)
            fh.flush()
            os.fsync(fh.fileno())
        os.replace(tmp, p)
    except OSError as exc:
        tmp.unlink(missing_ok=True)
        raise WarroomError(f"cannot save {p}: {exc.strerror or exc}") from exc


def save(config: WorkspaceConfig, path: str | os.PathLike[str]) -> None:
    save_text(dumps(config), path)
