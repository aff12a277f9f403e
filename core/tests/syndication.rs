//! SyndicationClient and the feed model against real peers: feeds written by Python's feedgen,
//! served by nginx (auth_basic, ETag/304), through tinyproxy (BasicAuth); hostile documents.

mod util;

use std::sync::{Arc, Mutex};

use netrt::error::WebErrorStatus;
use netrt::foundation::{AsyncStatus, Uri};
use netrt::security::PasswordCredential;
use netrt::web::syndication::{
    RetrievalProgress, SyndicationClient, SyndicationErrorStatus, SyndicationFeed, SyndicationFormat,
    syndication_error_get_status,
};
use netrt::web::{Proxy, ProxyChoice};
use util::web_peers::{generated_feeds, nginx_static, tinyproxy};
use util::within;

fn uri(port: u16, path: &str) -> Uri {
    Uri::new(&format!("http://127.0.0.1:{port}{path}")).unwrap()
}

fn client() -> SyndicationClient {
    let c = SyndicationClient::new();
    c.set_proxy(ProxyChoice::Direct);
    c
}

fn access_log(dir: &std::path::Path) -> Vec<String> {
    std::fs::read_to_string(dir.join("access.log")).unwrap_or_default().lines().map(str::to_string).collect()
}

#[tokio::test]
async fn feedgen_feeds_in_both_formats_read_the_same_and_round_trip() {
    let feeds = generated_feeds(5);
    let (nginx, _dir) = nginx_static(&feeds, "u", "p");
    let c = client();
    let atom = within(c.retrieve_feed(&uri(nginx.port, "/atom.xml"))).await.unwrap();
    let rss = within(c.retrieve_feed(&uri(nginx.port, "/rss.xml"))).await.unwrap();
    assert_eq!(
        (atom.source_format, rss.source_format),
        (SyndicationFormat::Atom10, SyndicationFormat::Rss20)
    );
    for feed in [&atom, &rss] {
        assert_eq!(feed.title.as_ref().unwrap().text, "netrt test feed");
        assert_eq!(feed.items.len(), 5);
        assert_eq!(feed.items[0].title.as_ref().unwrap().text, "Item 0: <tags> & ampersands");
        assert_eq!(feed.items[0].item_uri().unwrap().to_string(), "http://example.org/items/0");
        assert_eq!(feed.items[0].id, "urn:netrt:test:item:0");
        assert!(feed.items[0].content.as_ref().unwrap().text.contains("ünïcödé"));
        assert_eq!(feed.items[1].published_date, atom.items[1].published_date);
        assert_eq!(feed.last_updated_time.unwrap().to_unix_seconds(), 1_767_323_045);
    }
    // feedgen writes enclosures in RSS only (its Atom output drops the link's rel).
    let enclosure = rss.items[0].links.iter().find(|l| l.relationship == "enclosure").unwrap();
    assert_eq!((enclosure.length, enclosure.media_type.as_str()), (1000, "audio/mpeg"));
    // feedgen's iTunes element survives as an extension, and a write/read round trip.
    let itunes = rss.node.element_extensions.iter().find(|n| n.node_name == "author").unwrap();
    assert_eq!(
        (itunes.node_namespace.as_str(), itunes.node_value.as_str()),
        ("http://www.itunes.com/dtds/podcast-1.0.dtd", "Ada Lovelace")
    );
    for (feed, format) in [(&atom, SyndicationFormat::Atom10), (&rss, SyndicationFormat::Rss20)] {
        let xml = feed.get_xml_document(format).unwrap().get_xml();
        let again = SyndicationFeed::parse(&xml).unwrap();
        assert_eq!(&again, feed, "{xml}");
    }
}

#[tokio::test]
async fn auth_basic_needs_the_server_credential() {
    let feeds = generated_feeds(1);
    std::fs::create_dir_all(feeds.join("private")).unwrap();
    std::fs::copy(feeds.join("atom.xml"), feeds.join("private/atom.xml")).unwrap();
    let (nginx, _dir) = nginx_static(&feeds, "reader", "s3cret");
    let target = uri(nginx.port, "/private/atom.xml");

    let e = within(client().retrieve_feed(&target)).await.unwrap_err();
    assert_eq!(e.web_error_status(), WebErrorStatus::Unauthorized, "{e}");
    let wrong =
        SyndicationClient::with_credential(PasswordCredential::with_fields("", "reader", "nope").unwrap());
    wrong.set_proxy(ProxyChoice::Direct);
    let e = within(wrong.retrieve_feed(&target)).await.unwrap_err();
    assert_eq!(e.web_error_status(), WebErrorStatus::Unauthorized, "{e}");

    let right = client();
    right.set_server_credential(Some(PasswordCredential::with_fields("", "reader", "s3cret").unwrap()));
    let feed = within(right.retrieve_feed(&target)).await.unwrap();
    assert_eq!(feed.items.len(), 1);
}

#[tokio::test]
async fn a_second_retrieval_is_conditional_and_a_304_answers_from_the_cache() {
    let feeds = generated_feeds(2);
    let (nginx, dir) = nginx_static(&feeds, "u", "p");
    let c = client();
    let target = uri(nginx.port, "/rss.xml");
    let first = within(c.retrieve_feed(&target)).await.unwrap();
    let second = within(c.retrieve_feed(&target)).await.unwrap();
    assert_eq!(first, second);
    c.set_bypass_cache_on_retrieve(true);
    let third = within(c.retrieve_feed(&target)).await.unwrap();
    assert_eq!(first, third);
    assert_eq!(access_log(&dir), ["GET /rss.xml 200", "GET /rss.xml 304", "GET /rss.xml 200"]);
}

#[tokio::test]
async fn through_an_authenticating_proxy_with_the_proxy_credential() {
    let feeds = generated_feeds(1);
    let (nginx, _dir) = nginx_static(&feeds, "u", "p");
    let proxy = tinyproxy(Some(("pxuser", "pxpass")));
    let c = SyndicationClient::new();
    c.set_proxy(ProxyChoice::Explicit(Proxy::parse(&format!("127.0.0.1:{}", proxy.port)).unwrap()));
    let target = uri(nginx.port, "/atom.xml");
    let e = within(c.retrieve_feed(&target)).await.unwrap_err();
    assert_eq!(e.web_error_status(), WebErrorStatus::ProxyAuthenticationRequired, "{e}");
    c.set_proxy_credential(Some(PasswordCredential::with_fields("", "pxuser", "pxpass").unwrap()));
    let feed = within(c.retrieve_feed(&target)).await.unwrap();
    assert_eq!(feed.title.as_ref().unwrap().text, "netrt test feed");
}

#[test]
fn the_winrt_operation_reports_progress_and_completes() {
    let feeds = generated_feeds(50);
    let size = std::fs::metadata(feeds.join("atom.xml")).unwrap().len() as u32;
    let (nginx, _dir) = nginx_static(&feeds, "u", "p");
    let c = client();
    // Served slowly: the handler below is attached while the operation still runs, whatever
    // the machine's load (reports before it are not replayed, as in WinRT).
    let op = c.retrieve_feed_async(&uri(nginx.port, "/slow/atom.xml")).unwrap();
    let seen: Arc<Mutex<Vec<RetrievalProgress>>> = Arc::default();
    let sink = seen.clone();
    op.set_progress(Arc::new(move |p| sink.lock().unwrap().push(p))).unwrap();
    assert!(op.wait(Some(std::time::Instant::now() + util::STEP)));
    assert_eq!(op.status(), AsyncStatus::Completed, "{:?}", op.error());
    assert_eq!(op.results().unwrap().items.len(), 50);
    let last = op.last_progress().unwrap();
    assert_eq!(last, RetrievalProgress { bytes_retrieved: size, total_bytes_to_retrieve: size });
    // Reports reach the handler on the dispatcher, in order, the last one included.
    let deadline = std::time::Instant::now() + util::STEP;
    while seen.lock().unwrap().last() != Some(&last) {
        assert!(std::time::Instant::now() < deadline, "{:?}", seen.lock().unwrap());
        std::thread::sleep(std::time::Duration::from_millis(5));
    }
    let seen = seen.lock().unwrap();
    assert!(seen.windows(2).all(|w| w[0].bytes_retrieved <= w[1].bytes_retrieved), "{seen:?}");
    assert!(c.retrieve_feed_async(&Uri::new("ftp://127.0.0.1/x").unwrap()).is_err());
}

#[tokio::test]
async fn hostile_documents_fail_with_their_status() {
    let feeds = generated_feeds(1);
    // 100 MB that the server declares up front (a sparse file: no disk is used).
    std::fs::File::create(feeds.join("huge.xml")).unwrap().set_len(100 << 20).unwrap();
    let (nginx, _dir) = nginx_static(&feeds, "u", "p");
    let c = client();
    c.set_max_response_buffer_size(1 << 20);
    for (path, status) in [
        ("/laughs.xml", SyndicationErrorStatus::InvalidXml),
        ("/xxe.xml", SyndicationErrorStatus::InvalidXml),
        ("/deep.xml", SyndicationErrorStatus::InvalidXml),
        ("/bad-utf8.xml", SyndicationErrorStatus::InvalidXml),
        ("/not-a-feed.xml", SyndicationErrorStatus::UnsupportedFormat),
        ("/no-title.xml", SyndicationErrorStatus::MissingRequiredElement),
    ] {
        let e = within(c.retrieve_feed(&uri(nginx.port, path))).await.unwrap_err();
        assert_eq!(syndication_error_get_status(e.hresult()), status, "{path}: {e}");
    }
    let e = within(c.retrieve_feed(&uri(nginx.port, "/huge.xml"))).await.unwrap_err();
    assert_eq!(e.hresult(), netrt::error::hresult::WEB_E_RESOURCE_TOO_LARGE, "{e}");
    assert!(e.message().contains("104857600"), "{e}");
    let e = within(c.retrieve_feed(&uri(nginx.port, "/missing.xml"))).await.unwrap_err();
    assert_eq!(e.web_error_status(), WebErrorStatus::NotFound, "{e}");
}

#[tokio::test]
async fn request_headers_are_checked_and_timeouts_fire() {
    let c = client();
    c.set_request_header("X-Test", "a").unwrap();
    c.set_request_header("x-test", "b").unwrap();
    assert!(c.set_request_header("bad name", "v").is_err());
    assert!(c.set_request_header("X-Ok", "line\nbreak").is_err());
    // A listener that accepts and never answers.
    let silent = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
    let port = silent.local_addr().unwrap().port();
    c.set_timeout(200);
    assert_eq!(c.timeout(), 200);
    let e = within(c.retrieve_feed(&uri(port, "/feed"))).await.unwrap_err();
    assert_eq!(e.web_error_status(), WebErrorStatus::Timeout, "{e}");
}
