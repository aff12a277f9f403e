//! `netrt feed` against nginx serving feeds written by Python's feedgen.

mod support;

use support::run;
use support::web_peers::{generated_feeds, nginx_static};
use support::{command, run_with};

#[test]
fn prints_every_item_of_an_atom_and_an_rss_feed_as_json_lines() {
    let feeds = generated_feeds(5);
    let (nginx, _dir) = nginx_static(&feeds, "u", "p");
    for (path, format) in [("atom.xml", "Atom10"), ("rss.xml", "Rss20")] {
        let uri = format!("http://127.0.0.1:{}/{path}", nginx.port);
        let out = run(&["feed", &uri, "--json"], "");
        assert_eq!(out.status, 0, "{out:?}");
        let lines = out.json();
        assert_eq!(lines[0]["event"], "feed", "{out:?}");
        assert_eq!(lines[0]["title"], "netrt test feed");
        assert_eq!(lines[0]["format"], format);
        assert_eq!(lines[0]["items"], 5);
        let items: Vec<_> = lines[1..].iter().filter(|l| l["event"] == "item").collect();
        assert_eq!(items.len(), 5, "{out:?}");
        for item in &items {
            let title = item["title"].as_str().unwrap();
            assert!(title.starts_with("Item ") && title.ends_with(": <tags> & ampersands"), "{item}");
            let link = item["link"].as_str().unwrap();
            assert!(link.starts_with("http://example.org/items/"), "{item}");
            assert!(item["date"].as_str().is_some_and(|d| d.ends_with('Z')), "{item}");
        }
    }
}

#[test]
fn limit_and_the_human_listing() {
    let feeds = generated_feeds(4);
    let (nginx, _dir) = nginx_static(&feeds, "u", "p");
    let uri = format!("http://127.0.0.1:{}/rss.xml", nginx.port);
    let out = run(&["feed", &uri, "-n", "2"], "");
    assert_eq!(out.status, 0, "{out:?}");
    assert!(out.stdout.starts_with("netrt test feed"), "{out:?}");
    assert_eq!(out.stdout.matches("http://example.org/items/").count(), 2, "{out:?}");
}

#[test]
fn a_protected_feed_needs_the_credential() {
    let feeds = generated_feeds(2);
    std::fs::create_dir_all(feeds.join("private")).unwrap();
    std::fs::copy(feeds.join("atom.xml"), feeds.join("private/atom.xml")).unwrap();
    let (nginx, _dir) = nginx_static(&feeds, "reader", "s3cret");
    let uri = format!("http://127.0.0.1:{}/private/atom.xml", nginx.port);
    let denied = run(&["feed", &uri, "--json"], "");
    assert_eq!(denied.status, 1, "{denied:?}");
    let error = denied.json().pop().unwrap();
    assert_eq!(error["error"]["web_error_status"]["name"], "Unauthorized", "{denied:?}");

    let mut cmd = command(&["feed", &uri, "--user", "reader", "--password-env", "FEED_PW", "--json"]);
    cmd.env("FEED_PW", "s3cret");
    let out = run_with(cmd, "");
    assert_eq!(out.status, 0, "{out:?}");
    assert_eq!(out.json()[0]["items"], 2);
}

#[test]
fn a_document_that_is_not_a_feed_fails_with_its_syndication_status() {
    let feeds = generated_feeds(1);
    let (nginx, _dir) = nginx_static(&feeds, "u", "p");
    let uri = format!("http://127.0.0.1:{}/not-a-feed.xml", nginx.port);
    let out = run(&["feed", &uri], "");
    assert_eq!(out.status, 1, "{out:?}");
    assert!(out.stderr.contains("netrt: error: HRESULT"), "{out:?}");
    assert!(out.stdout.is_empty(), "nothing is listed: {out:?}");
}
