"""The newsletter worker's `newsletter.item` handler as a careful engineer would write it with
pika, for `scripts/bench handlers`: the same queue, the same messages, the same work.

For each message: decode the JSON body, clean and check every field as
`NewsletterItem(json:rules:)` does (one-line title and author, normalised body, the length
limits, the category and academy against Config, no plain http:// anywhere, every markup link
https), then, in the batch's transaction, a processed-ids ledger row (INSERT ... ON CONFLICT
DO NOTHING) and the item's row in the same columns as `newsletter_items` (with its unique
message id, so a known id has no second effect, and its partial index), each written for the
whole batch with executemany. SQLite is set up as the worker's (WAL, synchronous=NORMAL)
and checkpoints as sqlite3 does by default, inside the commit that fills the log. Prefetch
200; one commit and one `multiple` ack per 100 messages, or sooner when the queue has been
quiet for 5 ms. A message that fails its checks stops the run: the benchmark's items are all valid,
and a peer that dead-lettered instead would only be doing less here.

Prints {"messages": N, "seconds": S, "cpu_seconds": C}, timed from the first consume to the
last ack.
"""
import argparse
import datetime
import json
import re
import sqlite3
import time
import urllib.parse
from pathlib import Path

import pika

from benchlib import URL

p = argparse.ArgumentParser(description=__doc__)
p.add_argument("--queue", required=True)
p.add_argument("--expect", type=int, required=True)
p.add_argument("--db", required=True)
p.add_argument("--config", required=True, help="the Config directory (categories, academy ids)")
p.add_argument("--prefetch", type=int, default=200)
p.add_argument("--batch", type=int, default=100)
args = p.parse_args()

config = Path(args.config)
CATEGORIES = [c["id"] for c in json.loads((config / "newsletter.json").read_text())["categories"]]
ACADEMIES = {a["id"] for a in json.loads((config / "academies.json").read_text())["academies"]}
TITLE_LIMIT, BODY_LIMIT, AUTHOR_LIMIT = 120, 5_000, 100


class ItemError(ValueError):
    def __init__(self, field, value, reason):
        shown = "" if value is None else f" {json.dumps(value[:60], ensure_ascii=False)}"
        super().__init__(f"newsletter item: {field}{shown} {reason}")


# Runs of white space and control characters, which one-line text turns into one space.
ONE_LINE = re.compile(r"[\s\x00-\x1f\x7f-\x9f]+")
# Control characters a body drops once line ends and tabs are dealt with.
BODY_CONTROLS = re.compile(r"[\x00-\x09\x0b-\x1f\x7f-\x9f]")
LINK = re.compile(r"\[[^\]\n]+\]\(([^)\n]+)\)")
HTTP = re.compile(r"http://", re.IGNORECASE)
NOT_IN_LINKS = re.compile(r"[\s\"'<>\\`\x00-\x1f]")


def one_line(text):
    return ONE_LINE.sub(" ", text).strip(" ")


def normalised_body(text):
    text = text.replace("\r\n", "\n").replace("\r", "\n").replace("\u2028", "\n").replace("\u2029", "\n")
    return BODY_CONTROLS.sub("", text.replace("\t", " ")).strip()


def allowed_link(url):
    if len(url) > 2000 or not url.lower().startswith("https://") or NOT_IN_LINKS.search(url):
        return False
    try:
        parts = urllib.parse.urlsplit(url)
    except ValueError:
        return False
    return parts.scheme.lower() == "https" and bool(parts.hostname)


def text(obj, key, required=True):
    value = obj.get(key)
    if value is None:
        if required:
            raise ItemError(key, None, "is missing")
        return None
    if not isinstance(value, str):
        raise ItemError(key, None, "should be text in double quotes")
    return value


def checked_item(body):
    """(title, body, category, academy, author), cleaned and checked, or ItemError."""
    try:
        obj = json.loads(body)
    except ValueError:
        obj = None
    if not isinstance(obj, dict):
        raise ItemError("message", None, 'is not a JSON object {"title", "body", "category", "academy", "author"}')
    title = one_line(text(obj, "title"))
    content = normalised_body(text(obj, "body"))
    category = text(obj, "category").strip(" \t")
    academy = text(obj, "academy", required=False)
    author = one_line(text(obj, "author"))
    if not title:
        raise ItemError("title", None, "is empty")
    if len(title) > TITLE_LIMIT:
        raise ItemError("title", title, f"is {len(title)} characters long; the limit is {TITLE_LIMIT}")
    if not content:
        raise ItemError("body", None, "is empty")
    if len(content) > BODY_LIMIT:
        raise ItemError("body", None, f"is {len(content)} characters long; the limit is {BODY_LIMIT}")
    if category not in CATEGORIES:
        raise ItemError("category", category, f"is not a newsletter category (expected one of: {', '.join(CATEGORIES)})")
    if not author:
        raise ItemError("author", None, "is empty")
    if len(author) > AUTHOR_LIMIT:
        raise ItemError("author", author, f"is {len(author)} characters long; the limit is {AUTHOR_LIMIT}")
    academy = (academy or "").strip(" \t") or None
    if academy is not None and academy not in ACADEMIES:
        raise ItemError("academy", academy, "is not an academy id from academies.json")
    for field, value in (("title", title), ("body", content)):
        found = HTTP.search(value)
        if found:
            rest = re.match(r"[^\s)]*", value[found.start():]).group(0)
            raise ItemError(field, rest, "is a plain http:// address; only https:// links are allowed")
    for url in LINK.findall(content):
        if not allowed_link(url):
            raise ItemError("body", url, "is not an https:// link (write links as [text](https://…))")
    return title, content, category, academy, author


db = sqlite3.connect(args.db, timeout=5)
db.execute("PRAGMA journal_mode=WAL")
db.execute("PRAGMA synchronous=NORMAL")
db.executescript("""
    CREATE TABLE IF NOT EXISTS processed_ids (
        message_id TEXT PRIMARY KEY,
        processed_at_ms INTEGER NOT NULL
    ) WITHOUT ROWID;
    CREATE TABLE IF NOT EXISTS items (
        id INTEGER PRIMARY KEY,
        message_id TEXT NOT NULL UNIQUE,
        title TEXT NOT NULL,
        body TEXT NOT NULL,
        category TEXT NOT NULL,
        academy TEXT,
        author TEXT NOT NULL,
        received_at TEXT NOT NULL,
        issue_number INTEGER
    );
    CREATE INDEX IF NOT EXISTS items_unissued ON items (id) WHERE issue_number IS NULL;
""")
db.commit()
CLAIM = "INSERT INTO processed_ids (message_id, processed_at_ms) VALUES (?, ?) ON CONFLICT DO NOTHING"
INSERT = ("INSERT INTO items (message_id, title, body, category, academy, author, received_at) "
          "VALUES (?, ?, ?, ?, ?, ?, ?) ON CONFLICT (message_id) DO NOTHING")

connection = pika.BlockingConnection(pika.URLParameters(URL))
channel = connection.channel()
channel.basic_qos(prefetch_count=args.prefetch)
deliveries = channel.consume(args.queue, inactivity_timeout=0.005)
handled = 0
batch = []
started = cpu = None
idle_since = time.monotonic()
while handled < args.expect:
    method, properties, body = next(deliveries)
    if method is not None:
        if started is None:
            started, cpu = time.monotonic(), time.process_time()
        batch.append((method.delivery_tag, properties.message_id, body))
        if len(batch) < args.batch:
            continue
    if not batch:
        if time.monotonic() - idle_since > 30:
            raise SystemExit(f"newsletter_item_peer: queue {args.queue} ran dry after {handled} of {args.expect}")
        continue
    now = datetime.datetime.now(datetime.timezone.utc)
    stamp, millis = now.isoformat(timespec="milliseconds"), int(now.timestamp() * 1000)
    rows = []
    for _, message_id, body in batch:
        if not message_id:
            raise SystemExit("newsletter_item_peer: a message without a message id")
        rows.append((message_id, *checked_item(body), stamp))
    with db:
        # Both inserts skip a known id, so a repeat has no second effect; executemany is the
        # fastest way sqlite3 offers to write a batch's rows.
        db.executemany(CLAIM, [(row[0], millis) for row in rows])
        db.executemany(INSERT, rows)
    channel.basic_ack(delivery_tag=batch[-1][0], multiple=True)
    handled += len(batch)
    batch.clear()
    idle_since = time.monotonic()
print(json.dumps({"messages": handled, "seconds": time.monotonic() - started,
                  "cpu_seconds": time.process_time() - cpu}))
channel.cancel()
connection.close()
