"""Writes feeds made by an independent generator (feedgen, https://feedgen.kiesow.be/) into a
directory, for the syndication tests: atom.xml (Atom 1.0) and rss.xml (RSS 2.0) with the same
content, including a podcast enclosure and an extension namespace (iTunes, via feedgen's
podcast extension). Also writes the hostile documents the tests expect to fail.

  make_feeds.py DIR [--items N]
"""

from __future__ import annotations

import argparse
import datetime
from pathlib import Path

from feedgen.feed import FeedGenerator


def build(items: int) -> FeedGenerator:
    fg = FeedGenerator()
    fg.load_extension("podcast")
    fg.id("urn:netrt:test:feed")
    fg.title("netrt test feed")
    fg.subtitle("Feeds made by feedgen for netrt's tests")
    fg.author({"name": "Ada Lovelace", "email": "ada@example.org"})
    fg.link(href="http://example.org/", rel="alternate")
    fg.link(href="http://example.org/feed?page=2", rel="next")
    fg.language("en")
    fg.rights("CC0")
    fg.category(term="testing", scheme="urn:netrt:topics", label="Testing")
    fg.podcast.itunes_author("Ada Lovelace")
    base = datetime.datetime(2026, 1, 2, 3, 4, 5, tzinfo=datetime.timezone.utc)
    fg.updated(base)
    for n in range(items):
        fe = fg.add_entry(order="append")
        fe.id(f"urn:netrt:test:item:{n}")
        fe.title(f"Item {n}: <tags> & ampersands")
        fe.link(href=f"http://example.org/items/{n}")
        fe.description(f"<p>Summary of item {n}</p>")
        fe.content(f"<p>Content of item {n} — ünïcödé</p>", type="html")
        fe.published(base - datetime.timedelta(hours=n))
        fe.updated(base - datetime.timedelta(hours=n))
        fe.enclosure(f"http://example.org/audio/{n}.mp3", str(1000 + n), "audio/mpeg")
    return fg


HOSTILE = {
    # Entity expansion (billion laughs): refused because DTDs are refused.
    "laughs.xml": '<?xml version="1.0"?><!DOCTYPE lolz [<!ENTITY lol "lol">'
    + "".join(f'<!ENTITY lol{i} "{("&lol" + str(i - 1) + ";") * 10 if i > 1 else "&lol;" * 10}">' for i in range(1, 10))
    + ']><rss version="2.0"><channel><title>&lol9;</title></channel></rss>',
    # External entity to a local file.
    "xxe.xml": '<?xml version="1.0"?><!DOCTYPE r [<!ENTITY xxe SYSTEM "file:///etc/passwd">]>'
    '<rss version="2.0"><channel><title>&xxe;</title></channel></rss>',
    # Elements nested far deeper than any feed needs.
    "deep.xml": '<rss version="2.0"><channel><title>t</title>' + "<x>" * 100000 + "</x>" * 100000 + "</channel></rss>",
    "not-a-feed.xml": "<html><body>Not a feed</body></html>",
    "no-title.xml": '<rss version="2.0"><channel><link>http://example.org/</link></channel></rss>',
}


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("dir")
    parser.add_argument("--items", type=int, default=5)
    a = parser.parse_args()
    out = Path(a.dir)
    out.mkdir(parents=True, exist_ok=True)
    fg = build(a.items)
    fg.atom_file(str(out / "atom.xml"), pretty=True)
    fg.rss_file(str(out / "rss.xml"), pretty=True)
    for name, text in HOSTILE.items():
        (out / name).write_text(text, encoding="utf-8")
    (out / "bad-utf8.xml").write_bytes(b'<rss version="2.0"><channel><title>\xff\xfe</title></channel></rss>')


if __name__ == "__main__":
    main()
