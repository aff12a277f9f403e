//! `netrt feed`: retrieves an RSS or Atom feed with `SyndicationClient` and prints its items
//! (title, date, link), newest first as the feed lists them.

use netrt::foundation::{DateTime, Uri};
use netrt::security::PasswordCredential;
use netrt::web::ProxyChoice;
use netrt::web::syndication::{SyndicationClient, SyndicationFeed, SyndicationItem, SyndicationText};
use serde_json::{Value, json};

use crate::args::FeedArgs;
use crate::failure::Failure;
use crate::output::{DIM, LABEL, json_line};

pub async fn run(args: &FeedArgs) -> Result<(), Failure> {
    let uri = Uri::new(&args.uri).map_err(|e| Failure::Usage(format!("'{}': {}", args.uri, e.message())))?;
    let client = configured_client(args, &uri)?;
    let spinner = crate::progress::spinner(args.output.json, format!("retrieving {}", uri.display_uri()));
    let feed = client.retrieve_feed(&uri).await;
    spinner.finish_and_clear();
    let feed = feed?;
    let items = feed.items.iter().take(args.limit.unwrap_or(usize::MAX));
    if args.output.json {
        json_line(&feed_json(&feed));
        for item in items {
            json_line(&item_json(item));
        }
        return Ok(());
    }
    let title = text(feed.title.as_ref());
    anstream::println!(
        "{LABEL}{}{LABEL:#}  {DIM}({}, {} items){DIM:#}",
        if title.is_empty() { "(untitled feed)" } else { title },
        feed.source_format.name(),
        feed.items.len()
    );
    for item in items {
        let date = item_date(item).map(|d| d.to_utc_string()).unwrap_or_else(|| "-".repeat(20));
        let title = text(item.title.as_ref());
        anstream::println!("{DIM}{date}{DIM:#}  {}", if title.is_empty() { "(untitled)" } else { title });
        if let Some(link) = item.item_uri() {
            anstream::println!("{:22}{DIM}{}{DIM:#}", "", link.display_uri());
        }
    }
    Ok(())
}

fn configured_client(args: &FeedArgs, uri: &Uri) -> Result<SyndicationClient, Failure> {
    let client = SyndicationClient::new();
    if let (Some(user), Some(var)) = (&args.user, &args.password_env) {
        let password = std::env::var(var).map_err(|_| {
            Failure::Input(format!("--password-env {var}: the environment variable is not set"))
        })?;
        let credential = PasswordCredential::with_fields(&uri.absolute_uri(), user, &password)
            .map_err(|e| Failure::Usage(format!("--user: {}", e.message())))?;
        client.set_server_credential(Some(credential));
    }
    if let Some(proxy) = &args.proxy {
        let choice = ProxyChoice::from_text(Some(proxy))
            .map_err(|e| Failure::Usage(format!("--proxy: {}", e.message())))?;
        client.set_proxy(choice);
    }
    if let Some(seconds) = args.timeout {
        client.set_timeout(seconds.saturating_mul(1000));
    }
    client.set_bypass_cache_on_retrieve(true);
    Ok(client)
}

fn text(value: Option<&SyndicationText>) -> &str {
    value.map(|t| t.text.trim()).unwrap_or("")
}

/// The date a reader sorts by: when the item was published, else when it last changed.
fn item_date(item: &SyndicationItem) -> Option<DateTime> {
    item.published_date.or(item.last_updated_time)
}

fn feed_json(feed: &SyndicationFeed) -> Value {
    json!({
        "event": "feed",
        "title": text(feed.title.as_ref()),
        "subtitle": text(feed.subtitle.as_ref()),
        "format": feed.source_format.name(),
        "items": feed.items.len(),
        "updated": feed.last_updated_time.map(|d| d.to_utc_string()),
    })
}

fn item_json(item: &SyndicationItem) -> Value {
    json!({
        "event": "item",
        "id": item.id,
        "title": text(item.title.as_ref()),
        "date": item_date(item).map(|d| d.to_utc_string()),
        "link": item.item_uri().map(|u| u.display_uri()),
        "authors": item.authors.iter().map(|a| a.name.clone()).collect::<Vec<_>>(),
    })
}
