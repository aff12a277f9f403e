//! The background-transfer engine through the environment's proxy (`http_proxy`, as the daemon
//! reads it): tinyproxy with BasicAuth, answered with the transfer's ProxyCredential. Its own
//! binary, because the proxy variable applies to the whole process.

mod util;

use std::path::PathBuf;

use netrt::background_transfer::engine::{
    self, Outcome, RequestBody, ResponseSummary, ResumeState, Snapshot, Target, TransferSpec,
};
use netrt::error::WebErrorStatus;
use netrt::security::PasswordCredential;
use tokio_util::sync::CancellationToken;
use util::web_peers::{scratch_dir, tinyproxy, transfer_server};
use util::within;

#[tokio::test]
async fn a_download_through_an_authenticating_proxy_uses_the_proxy_credential() {
    let proxy = tinyproxy(Some(("pxuser", "pxpass")));
    // SAFETY: this binary's only test, and nothing has read the environment yet.
    unsafe { std::env::set_var("http_proxy", format!("http://127.0.0.1:{}", proxy.port)) };
    let dir = scratch_dir("transfer-proxy");
    let data: Vec<u8> = (0..300_000u32).map(|i| (i % 251) as u8).collect();
    std::fs::write(dir.join("data.bin"), &data).unwrap();
    std::fs::create_dir_all(dir.join("sink")).unwrap();
    let server = transfer_server(&dir.join("data.bin"), &dir.join("sink"), None, "u", "p");
    let partial: PathBuf = dir.join("proxied.partial");
    let mut spec = TransferSpec {
        method: "GET".into(),
        url: url::Url::parse(&format!("http://127.0.0.1:{}/data", server.port)).unwrap(),
        headers: Vec::new(),
        server_credential: None,
        proxy_credential: None,
        body: RequestBody::None,
        target: Target::Download { partial: partial.clone() },
    };
    let progress = |_: &Snapshot, _: Option<&ResponseSummary>| {};
    let outcome =
        within(engine::run(&spec, ResumeState::default(), &progress, CancellationToken::new())).await;
    let Outcome::Failed { status, .. } = outcome else { panic!("expected Failed, got {outcome:?}") };
    assert_eq!(status, WebErrorStatus::ProxyAuthenticationRequired);

    spec.proxy_credential = Some(PasswordCredential::with_fields("", "pxuser", "pxpass").unwrap());
    let outcome =
        within(engine::run(&spec, ResumeState::default(), &progress, CancellationToken::new())).await;
    assert!(matches!(outcome, Outcome::Completed { .. }), "{outcome:?}");
    assert_eq!(std::fs::read(&partial).unwrap(), data);
    proxy.wait_for_output("CONNECT");
    // Only the request with the credential reached the server (its line shows once logged).
    let seen = server.wait_for_output("REQUEST ");
    assert_eq!(seen.lines().filter(|l| l.starts_with("REQUEST ")).count(), 1, "{seen}");
}
