//! AtomPubClient against an RFC 5023 server on aiohttp (tests/peers/atompub_server.py) with
//! Basic authentication: service document, create (201 + Location, Slug), retrieve, update
//! with If-Match (412 when stale), delete, media resources, cancellation.

mod util;

use std::sync::{Arc, Mutex};

use netrt::error::WebErrorStatus;
use netrt::foundation::{AsyncStatus, Uri};
use netrt::security::PasswordCredential;
use netrt::web::ProxyChoice;
use netrt::web::atompub::AtomPubClient;
use netrt::web::syndication::{
    SyndicationContent, SyndicationItem, SyndicationNode, SyndicationTextType, TransferProgress,
};
use util::web_peers::atompub_server;
use util::within;

fn uri(port: u16, path: &str) -> Uri {
    Uri::new(&format!("http://127.0.0.1:{port}{path}")).unwrap()
}

fn client() -> AtomPubClient {
    let c = AtomPubClient::with_credential(PasswordCredential::with_fields("", "writer", "pw").unwrap());
    c.set_proxy(ProxyChoice::Direct);
    c
}

fn new_item(title: &str) -> SyndicationItem {
    let mut item = SyndicationItem::with_details(
        title,
        SyndicationContent::new("<p>body</p>", SyndicationTextType::Html),
        None,
    );
    item.node.element_extensions.push(SyndicationNode::new("mood", "urn:netrt:test", "calm"));
    item
}

#[tokio::test]
async fn service_document_lists_workspaces_and_collections() {
    let server = atompub_server("writer", "pw");
    let anonymous = AtomPubClient::new();
    anonymous.set_proxy(ProxyChoice::Direct);
    let e =
        within(anonymous.retrieve_service_document(&uri(server.port, "/service"), |_| {})).await.unwrap_err();
    assert_eq!(e.web_error_status(), WebErrorStatus::Unauthorized, "{e}");

    let service =
        within(client().retrieve_service_document(&uri(server.port, "/service"), |_| {})).await.unwrap();
    let workspace = &service.workspaces[0];
    assert_eq!(workspace.title.as_ref().unwrap().text, "netrt workspace");
    let entries = &workspace.collections[0];
    assert_eq!(entries.title.as_ref().unwrap().text, "Entries");
    assert_eq!(
        entries.uri.as_ref().unwrap().to_string(),
        format!("http://127.0.0.1:{}/entries", server.port)
    );
    assert_eq!(entries.accepts, ["application/atom+xml;type=entry"]);
    let terms: Vec<_> = entries.categories.iter().map(|c| (c.term.as_str(), c.scheme.as_str())).collect();
    assert_eq!(terms, [("news", "urn:netrt:tags"), ("notes", "urn:netrt:tags")]);
    let media = &workspace.collections[1];
    assert_eq!(media.uri.as_ref().unwrap().to_string(), format!("http://127.0.0.1:{}/media", server.port));
    assert_eq!(media.accepts, ["image/png", "application/octet-stream"]);
}

#[tokio::test]
async fn entries_are_created_retrieved_updated_with_etags_and_deleted() {
    let server = atompub_server("writer", "pw");
    let c = client();
    let collection = uri(server.port, "/entries");
    let sent: Arc<Mutex<Vec<TransferProgress>>> = Arc::default();
    let sink = sent.clone();
    let created = within(c.create_resource(&collection, "First Post ☺", &new_item("First"), move |p| {
        sink.lock().unwrap().push(p)
    }))
    .await
    .unwrap();
    let last = *sent.lock().unwrap().last().unwrap();
    assert!(last.bytes_sent > 0 && last.bytes_sent == last.total_bytes_to_send, "{last:?}");
    let edit = created.edit_uri().unwrap();
    assert_eq!(edit.to_string(), format!("http://127.0.0.1:{}/entries/first-post", server.port));
    assert!(!created.e_tag.is_empty());
    assert_eq!(created.title.as_ref().unwrap().text, "First");
    assert_eq!(
        created.node.element_extensions[0].node_value, "calm",
        "extensions reach the server and come back"
    );

    let fetched = within(c.retrieve_resource(&edit, |_| {})).await.unwrap();
    assert_eq!((fetched.id.as_str(), fetched.e_tag.as_str()), (created.id.as_str(), created.e_tag.as_str()));

    // Update with the current ETag; then the old one is stale.
    let mut changed = fetched.clone();
    changed.title = Some(netrt::web::syndication::SyndicationText::new("First, edited"));
    within(c.update_resource_item(&changed, |_| {})).await.unwrap();
    let e = within(c.update_resource(&edit, &changed, |_| {})).await.unwrap_err();
    assert_eq!(e.web_error_status(), WebErrorStatus::PreconditionFailed, "{e}");
    let latest = within(c.retrieve_resource(&edit, |_| {})).await.unwrap();
    assert_eq!(latest.title.as_ref().unwrap().text, "First, edited");
    assert_ne!(latest.e_tag, created.e_tag);

    let feed = within(c.retrieve_feed(&collection, |_| {})).await.unwrap();
    assert_eq!(feed.items.len(), 1);
    within(c.delete_resource_item(&latest, |_| {})).await.unwrap();
    let e = within(c.retrieve_resource(&edit, |_| {})).await.unwrap_err();
    assert_eq!(e.web_error_status(), WebErrorStatus::NotFound, "{e}");
    let e = within(c.delete_resource(&edit, |_| {})).await.unwrap_err();
    assert_eq!(e.web_error_status(), WebErrorStatus::NotFound, "{e}");
    assert!(within(c.update_resource_item(&SyndicationItem::new(), |_| {})).await.is_err());
}

#[tokio::test]
async fn media_resources_are_created_read_and_replaced() {
    let server = atompub_server("writer", "pw");
    let c = client();
    let png: Vec<u8> = (0..=255u8).cycle().take(70_000).collect();
    let entry = within(c.create_media_resource(
        &uri(server.port, "/media"),
        "image/png",
        "Beach",
        png.clone(),
        |_| {},
    ))
    .await
    .unwrap();
    let media = entry.edit_media_uri().unwrap();
    assert_eq!(entry.content.as_ref().unwrap().source_uri.as_ref(), Some(&media));
    assert_eq!(within(c.retrieve_media_resource(&media, |_| {})).await.unwrap(), png);
    within(c.update_media_resource(&media, "image/png", b"new bytes".to_vec(), |_| {})).await.unwrap();
    assert_eq!(within(c.retrieve_media_resource(&media, |_| {})).await.unwrap(), b"new bytes");
}

#[test]
fn cancel_async_operations_cancels_what_is_in_flight() {
    let server = atompub_server("writer", "pw");
    let c = client();
    let slow = c.retrieve_service_document_async(&uri(server.port, "/slow")).unwrap();
    std::thread::sleep(std::time::Duration::from_millis(100));
    c.cancel_async_operations();
    assert!(slow.wait(Some(std::time::Instant::now() + util::STEP)));
    assert_eq!(slow.status(), AsyncStatus::Canceled);
    // The client goes on working.
    let ok = c.retrieve_service_document_async(&uri(server.port, "/service")).unwrap();
    assert!(ok.wait(Some(std::time::Instant::now() + util::STEP)));
    assert_eq!(ok.status(), AsyncStatus::Completed, "{:?}", ok.error());
}

#[tokio::test]
async fn the_size_limit_applies_while_reading_a_body_without_a_length() {
    let server = atompub_server("writer", "pw");
    let c = client();
    c.set_max_response_buffer_size(1 << 20);
    let e = within(c.retrieve_feed(&uri(server.port, "/chunked?chunks=64"), |_| {})).await.unwrap_err();
    assert_eq!(e.hresult(), netrt::error::hresult::WEB_E_RESOURCE_TOO_LARGE, "{e}");
    let feed = within(c.retrieve_feed(&uri(server.port, "/chunked?chunks=2"), |_| {})).await.unwrap();
    assert_eq!(feed.title.as_ref().unwrap().text, "big");
}

#[test]
fn winrt_operations_report_progress_and_fail_fast_on_bad_arguments() {
    let server = atompub_server("writer", "pw");
    let c = client();
    let op = c.create_resource_async(&uri(server.port, "/entries"), "", &new_item("Async")).unwrap();
    assert!(op.wait(Some(std::time::Instant::now() + util::STEP)));
    let created = op.results().unwrap();
    let sent = op.last_progress().unwrap();
    assert!(sent.bytes_sent > 0 && sent.bytes_retrieved > 0, "{sent:?}");
    let delete = c.delete_resource_item_async(&created).unwrap();
    assert!(delete.wait(Some(std::time::Instant::now() + util::STEP)));
    assert_eq!(delete.status(), AsyncStatus::Completed, "{:?}", delete.error());
    let no_edit = c.update_resource_item_async(&SyndicationItem::new()).unwrap_err();
    assert_eq!(no_edit.hresult(), netrt::error::hresult::E_INVALIDARG);
    assert!(c.retrieve_feed_async(&Uri::new("ftp://127.0.0.1/").unwrap()).is_err());
}
