"""Markdown rendering speed: pulldown-cmark + nh3 (warroom.base.markup) against others.

The app's renderer was cmark-gfm called through ctypes, then markdown-it-py (pure
Python, 5x slower), and is now pulldown-cmark through pyromark, with raw HTML, images
and dangerous links escaped first, then nh3. This compares renderers on entry-like
texts (inline Markdown, a list, a table, a code block, raw HTML), interleaved round by
round so machine load hits all alike. markdown-it-py (still installed: the Markdown
export's inertness check uses it) is timed as set up before; the cmark-gfm side needs
``pip install cmarkgfm`` (not a dependency), markdown-it-pyrs is timed when installed
(its "commonmark" preset renders raw HTML: this times speed only, not safety).
``BENCH_OLD_MARKUP=path/to/old/markup.py`` times that module (e.g. one from git
history) instead of plain cmarkgfm.

Run: .venv/bin/python bench/bench_markup.py
"""

from __future__ import annotations

import importlib.util
import os
import random
import sys
import time
from collections.abc import Callable

from warroom.base import markup

WORDS = (  # noqa: SIM905
    "www answers 502 from isp-a; fail over to site B; BGP session down; customers "
    "calling; posted update on Mastodon; checked resolver 192.0.2.53, no answer"
).split(" ")
SHAPES = (
    " with **bold**, `code` and a [link](https://status.example.ch)",
    "\n\n- a list item\n- another with _emphasis_",
    "\n\n| site | state |\n|:--|--:|\n| A | down |\n| B | up |",
    "\n\n```\ndig @192.0.2.53 www.example.ch <no answer>\n```",
    " <host> and ![graph](https://g.example/p.png) and [x](javascript:alert(1))",
)


def corpus(n: int) -> list[str]:
    rnd = random.Random(n)
    return [
        " ".join(rnd.choice(WORDS) for _ in range(rnd.randint(4, 16))) + SHAPES[i % len(SHAPES)]
        for i in range(n)
    ]


def _markdown_it() -> Callable[[str], str]:
    """markdown-it-py as the app used it: raw HTML off, tables and strikethrough."""
    from markdown_it import MarkdownIt

    md = MarkdownIt("commonmark", {"html": False}).enable(["table", "strikethrough"])
    return lambda s: markup.sanitize(md.render(s))


def _old() -> tuple[str, Callable[[str], str]] | None:
    path = os.environ.get("BENCH_OLD_MARKUP")
    if path:
        spec = importlib.util.spec_from_file_location("old_markup", path)
        assert spec and spec.loader
        mod = importlib.util.module_from_spec(spec)
        spec.loader.exec_module(mod)
        return f"old module {path}", mod.render_markdown_full
    try:
        import cmarkgfm
    except ImportError:
        return None
    return "cmark-gfm + nh3", lambda s: markup.sanitize(
        cmarkgfm.github_flavored_markdown_to_html(s)
    )


def main() -> int:
    n = int(os.environ.get("BENCH_TEXTS", "5000"))
    texts = corpus(n)
    sides: list[tuple[str, Callable[[str], str]]] = [
        ("pulldown-cmark + nh3 (app)", markup.render_markdown),
        ("markdown-it-py + nh3", _markdown_it()),
    ]
    old = _old()
    if old:
        sides.append(old)
    try:  # the other compiled candidate (not a dependency: see docs/handover.md)
        from markdown_it_pyrs import MarkdownIt as RsMarkdownIt

        rs = RsMarkdownIt("commonmark").enable_many(["table", "strikethrough"])
        sides.append(("markdown-it-pyrs + nh3", lambda s: markup.sanitize(rs.render(s))))
    except ImportError:
        pass
    totals = {name: 0.0 for name, _ in sides}
    for fn in (f for _, f in sides):  # warm up (imports, caches of the renderers)
        for t in texts[:200]:
            fn(t)
    for _round in range(3):
        for name, fn in sides:
            c0 = time.process_time()
            for t in texts:
                fn(t)
            totals[name] += time.process_time() - c0
    print(f"{n:,} entry texts with Markdown, 3 interleaved rounds, CPU time per text:")
    for name, total in totals.items():
        print(f"  {name:<30} {total / (3 * n) * 1e6:7.1f} µs")
    return 0


if __name__ == "__main__":
    sys.exit(main())
