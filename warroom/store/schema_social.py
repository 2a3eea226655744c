"""Schema: the social-feed cache (see warroom/store/social.py).

Posts are unique by (source, id), so a post fetched twice is stored once; ``seq`` (the
rowid) is the arrival order that unread counts and ``warroom feeds`` cursors use.
``social_fts`` indexes text and author (kept in step by triggers). ``social_sources``
holds each source's health and resume state (ETag, newest id; never a secret).
``social_cursors`` remembers, per reader (``cli``, ``pane``) and source, the last post
seen: a second ``warroom feeds`` prints only what is new.
"""

from __future__ import annotations

import sqlite3

from warroom.store import schema


def m0001_social(conn: sqlite3.Connection) -> None:
    schema.script(
        conn,
        """
        CREATE TABLE social_posts (
            seq INTEGER PRIMARY KEY,
            source TEXT NOT NULL,
            id TEXT NOT NULL,
            kind TEXT NOT NULL,
            author TEXT NOT NULL,
            author_name TEXT NOT NULL DEFAULT '',
            text TEXT NOT NULL,
            url TEXT,
            time TEXT NOT NULL,
            fetched_at TEXT NOT NULL,
            html TEXT NOT NULL DEFAULT '',
            raw TEXT NOT NULL DEFAULT '',
            UNIQUE (source, id)
        );
        CREATE INDEX social_posts_by_time ON social_posts(time);
        CREATE INDEX social_posts_by_source ON social_posts(source, seq);

        CREATE VIRTUAL TABLE social_fts USING fts5(
            text, author, author_name, content='social_posts', content_rowid='seq',
            tokenize = 'unicode61 remove_diacritics 2'
        );
        CREATE TRIGGER social_posts_ai AFTER INSERT ON social_posts BEGIN
            INSERT INTO social_fts(rowid, text, author, author_name)
            VALUES (new.seq, new.text, new.author, new.author_name);
        END;
        CREATE TRIGGER social_posts_ad AFTER DELETE ON social_posts BEGIN
            INSERT INTO social_fts(social_fts, rowid, text, author, author_name)
            VALUES ('delete', old.seq, old.text, old.author, old.author_name);
        END;

        CREATE TABLE social_sources (
            name TEXT PRIMARY KEY,
            kind TEXT NOT NULL,
            url TEXT NOT NULL,
            last_ok TEXT,
            last_attempt TEXT,
            error TEXT,
            stale_since TEXT,
            note TEXT,
            state TEXT NOT NULL DEFAULT '{}'
        );

        CREATE TABLE social_cursors (
            reader TEXT NOT NULL,
            source TEXT NOT NULL,
            seq INTEGER NOT NULL,
            PRIMARY KEY (reader, source)
        );
        """,
    )


MIGRATIONS = [("social-0001-posts", m0001_social)]
