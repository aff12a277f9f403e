//! The background-transfer engine (one attempt of a download or upload) against real peers:
//! nginx serving a large file with ranges and ETags, and tests/peers/transfer_server.py (aiohttp)
//! for dropped connections, servers that ignore ranges or change the resource, a 503, redirects,
//! Basic and Digest authentication and an upload sink; https through the system trust store
//! pointed at the test CA.

mod common;
mod util;

use std::path::{Path, PathBuf};
use std::sync::{Arc, Mutex};

use netrt::background_transfer::engine::{
    self, MultipartSpec, Outcome, PartBody, PartSpec, RequestBody, ResponseSummary, ResumeState, Snapshot,
    Target, TransferSpec, Validator,
};
use netrt::error::WebErrorStatus;
use netrt::security::PasswordCredential;
use sha2::{Digest as _, Sha256};
use tokio_util::sync::CancellationToken;
use util::peers::Peer;
use util::web_peers::{nginx_transfer, scratch_dir, tls_port, transfer_server};
use util::within;

const USER: &str = "transfer-user";
const PASSWORD: &str = "s3cret pass";

/// `len` bytes that differ everywhere (a xorshift stream), so a misplaced range shows.
fn pseudo_random(len: usize, seed: u64) -> Vec<u8> {
    let mut x = seed | 1;
    (0..len)
        .map(|_| {
            x ^= x << 13;
            x ^= x >> 7;
            x ^= x << 17;
            (x >> 24) as u8
        })
        .collect()
}

fn sha256(bytes: &[u8]) -> String {
    Sha256::digest(bytes).iter().map(|b| format!("{b:02x}")).collect()
}

fn read(path: &Path) -> Vec<u8> {
    std::fs::read(path).unwrap_or_else(|e| panic!("read {}: {e}", path.display()))
}

/// A directory with `data.bin` (`len` bytes) and an empty `sink/`.
struct Files {
    dir: PathBuf,
    data: Vec<u8>,
}

impl Files {
    fn new(len: usize) -> Self {
        // Every test starts here, so the trust store is set before any of them reads it.
        common::trust_test_ca();
        let dir = scratch_dir("transfer");
        let data = pseudo_random(len, len as u64);
        std::fs::write(dir.join("data.bin"), &data).unwrap();
        std::fs::create_dir_all(dir.join("sink")).unwrap();
        Self { dir, data }
    }

    fn path(&self, name: &str) -> PathBuf {
        self.dir.join(name)
    }

    fn server(&self) -> Peer {
        transfer_server(&self.path("data.bin"), &self.path("sink"), None, USER, PASSWORD)
    }
}

fn url(port: u16, path: &str) -> url::Url {
    url::Url::parse(&format!("http://127.0.0.1:{port}{path}")).unwrap()
}

fn download(url: url::Url, partial: PathBuf) -> TransferSpec {
    TransferSpec {
        method: "GET".into(),
        url,
        headers: Vec::new(),
        server_credential: None,
        proxy_credential: None,
        body: RequestBody::None,
        target: Target::Download { partial },
    }
}

fn upload(url: url::Url, body: RequestBody, response_body: PathBuf) -> TransferSpec {
    TransferSpec {
        method: "POST".into(),
        body,
        target: Target::Upload { response_body },
        ..download(url, PathBuf::new())
    }
}

/// One attempt's outcome and every progress report it made.
struct Attempt {
    outcome: Outcome,
    reports: Vec<(Snapshot, Option<ResponseSummary>)>,
}

impl Attempt {
    fn last(&self) -> Snapshot {
        self.reports.last().expect("at least the final report").0
    }

    fn completed(&self) -> &ResponseSummary {
        match &self.outcome {
            Outcome::Completed { response } => response,
            other => panic!("expected Completed, got {other:?}"),
        }
    }
}

async fn attempt_with(spec: &TransferSpec, resume: ResumeState, stop: CancellationToken) -> Attempt {
    let reports = Arc::new(Mutex::new(Vec::new()));
    let sink = reports.clone();
    let progress =
        move |s: &Snapshot, r: Option<&ResponseSummary>| sink.lock().unwrap().push((*s, r.cloned()));
    let outcome = within(engine::run(spec, resume, &progress, stop)).await;
    let reports = std::mem::take(&mut *reports.lock().unwrap());
    Attempt { outcome, reports }
}

async fn attempt(spec: &TransferSpec, resume: ResumeState) -> Attempt {
    attempt_with(spec, resume, CancellationToken::new()).await
}

/// The server's log lines for requests to `path`.
fn requests(server: &Peer, path: &str) -> Vec<String> {
    let prefix = format!(" {path} ");
    server
        .output()
        .lines()
        .filter(|l| l.starts_with("REQUEST ") && l.contains(&prefix))
        .map(str::to_string)
        .collect()
}

#[tokio::test]
async fn a_large_file_from_nginx_arrives_byte_identical_with_progress() {
    let files = Files::new(6 * 1024 * 1024 + 123);
    let (nginx, _dir) = nginx_transfer(&files.dir);
    let partial = files.path("download.partial");
    let run = attempt(&download(url(nginx.port, "/data.bin"), partial.clone()), ResumeState::default()).await;
    let response = run.completed();
    assert_eq!(sha256(&read(&partial)), sha256(&files.data));
    assert_eq!(response.status_code, 200);
    assert!(response.is_resumable, "nginx sends Accept-Ranges and an ETag: {:?}", response.headers);
    assert_eq!(response.actual_url, url(nginx.port, "/data.bin"));
    let size = files.data.len() as u64;
    assert_eq!((run.last().bytes_received, run.last().total_bytes_to_receive), (size, size));
    assert!(!run.last().has_restarted && !run.last().has_response_changed);
    // Headers, then at least one report per MiB, then the end; never backwards.
    assert!(run.reports.len() >= 7, "{} reports", run.reports.len());
    assert!(run.reports.windows(2).all(|w| w[0].0.bytes_received <= w[1].0.bytes_received));
    assert!(run.reports.windows(2).all(|w| w[1].0.bytes_received - w[0].0.bytes_received <= 2 * 1024 * 1024));
    assert!(run.reports.iter().all(|(_, r)| r.as_ref().is_some_and(|r| r.status_code == 200)));
}

#[tokio::test]
async fn three_dropped_connections_resume_with_range_and_if_range() {
    let files = Files::new(1024 * 1024);
    let server = files.server();
    let partial = files.path("dropped.partial");
    let step = 200_000u64;
    let spec = download(url(server.port, &format!("/drop/3/{step}")), partial.clone());
    let mut resume = ResumeState::default();
    for drop in 1..=3u64 {
        let run = attempt(&spec, resume).await;
        let Outcome::Interrupted { error, resume: next } = run.outcome else {
            panic!("attempt {drop}: expected Interrupted, got {:?}", run.outcome);
        };
        assert_eq!(error.web_error_status(), WebErrorStatus::ConnectionReset, "{error}");
        assert_eq!(next.offset, drop * step);
        assert_eq!(std::fs::metadata(&partial).unwrap().len(), next.offset, "the offset is what is on disk");
        assert_eq!(next.validator, Some(Validator::ETag("\"v1\"".into())));
        assert_eq!(next.total, Some(files.data.len() as u64));
        resume = next;
    }
    let run = attempt(&spec, resume).await;
    assert_eq!(run.completed().status_code, 206);
    assert!(!run.last().has_restarted);
    assert_eq!(sha256(&read(&partial)), sha256(&files.data));
    let seen: Vec<String> = requests(&server, &format!("/drop/3/{step}"))
        .iter()
        .map(|l| l.split(' ').skip(3).take(2).collect::<Vec<_>>().join(" "))
        .collect();
    assert_eq!(
        seen,
        [
            "range=- if-range=-".to_string(),
            format!("range=bytes={step}- if-range=\"v1\""),
            format!("range=bytes={}- if-range=\"v1\"", 2 * step),
            format!("range=bytes={}- if-range=\"v1\"", 3 * step),
        ]
    );
}

/// A partial file whose first `offset` bytes are not the resource's (so appending to them
/// instead of starting again would show in the hash).
fn stale_partial(files: &Files, offset: u64, etag: &str) -> (PathBuf, ResumeState) {
    let partial = files.path("stale.partial");
    std::fs::write(&partial, vec![0u8; offset as usize]).unwrap();
    let resume = ResumeState {
        offset,
        validator: Some(Validator::ETag(etag.into())),
        total: Some(files.data.len() as u64),
    };
    (partial, resume)
}

#[tokio::test]
async fn a_server_ignoring_the_range_restarts_the_download() {
    let files = Files::new(300_000);
    let server = files.server();
    let (partial, resume) = stale_partial(&files, 1000, "\"v1\"");
    let run = attempt(&download(url(server.port, "/ignore-range"), partial.clone()), resume).await;
    assert_eq!(run.completed().status_code, 200);
    assert!(run.last().has_restarted);
    assert!(!run.last().has_response_changed, "the ETag stayed \"v1\"");
    assert_eq!(sha256(&read(&partial)), sha256(&files.data));
    assert!(requests(&server, "/ignore-range")[0].contains("range=bytes=1000- if-range=\"v1\""));
}

#[tokio::test]
async fn a_changed_resource_restarts_and_says_so() {
    let files = Files::new(300_000);
    let server = files.server();
    let (partial, resume) = stale_partial(&files, 5000, "\"before\"");
    let run = attempt(&download(url(server.port, "/etag-changes"), partial.clone()), resume).await;
    assert_eq!(run.completed().status_code, 200);
    assert!(run.last().has_restarted && run.last().has_response_changed);
    assert_eq!(sha256(&read(&partial)), sha256(&files.data));
    // What the next resume would use is the new version's validator.
    let run =
        attempt(&download(url(server.port, "/etag-changes"), partial.clone()), ResumeState::default()).await;
    let etag = run.completed().headers.iter().find(|(n, _)| n == "etag").map(|(_, v)| v.clone());
    assert_eq!(etag.as_deref(), Some("\"gen1\""));
}

#[tokio::test]
async fn unsatisfiable_range_at_the_end_means_complete() {
    let files = Files::new(4096);
    let server = files.server();
    let partial = files.path("whole.partial");
    std::fs::write(&partial, &files.data).unwrap();
    let resume =
        ResumeState { offset: 4096, validator: Some(Validator::ETag("\"v1\"".into())), total: Some(4096) };
    let run = attempt(&download(url(server.port, "/data"), partial.clone()), resume).await;
    assert_eq!(run.completed().status_code, 416);
    assert_eq!(run.last().bytes_received, 4096);
    assert_eq!(read(&partial), files.data);
}

#[tokio::test]
async fn a_503_fails_with_service_unavailable_and_the_next_attempt_succeeds() {
    let files = Files::new(10_000);
    let server = files.server();
    let partial = files.path("flaky.partial");
    let spec = download(url(server.port, "/flaky"), partial.clone());
    let run = attempt(&spec, ResumeState::default()).await;
    let Outcome::Failed { error, status, response } = run.outcome else {
        panic!("expected Failed, got {:?}", run.outcome);
    };
    assert_eq!(status, WebErrorStatus::ServiceUnavailable);
    assert_eq!(error.hresult() as u32, 0x8019_01F7, "HTTP_E_STATUS_SERVICE_UNAVAIL: {error}");
    let response = response.expect("the 503 response");
    assert_eq!(response.status_code, 503);
    assert!(response.headers.iter().any(|(n, v)| n == "retry-after" && v == "1"));
    run_to_completion(&spec, &partial, &files.data).await;
}

async fn run_to_completion(spec: &TransferSpec, partial: &Path, expected: &[u8]) -> ResponseSummary {
    let run = attempt(spec, ResumeState::default()).await;
    let response = run.completed().clone();
    assert_eq!(sha256(&read(partial)), sha256(expected));
    response
}

#[tokio::test]
async fn basic_and_digest_credentials_answer_the_challenge() {
    let files = Files::new(50_000);
    let server = files.server();
    let partial = files.path("auth.partial");
    for path in ["/basic", "/digest"] {
        let mut spec = download(url(server.port, path), partial.clone());
        let run = attempt(&spec, ResumeState::default()).await;
        let Outcome::Failed { status, error, .. } = &run.outcome else {
            panic!("{path} without a credential: {:?}", run.outcome);
        };
        assert_eq!(*status, WebErrorStatus::Unauthorized, "{error}");
        spec.server_credential = Some(PasswordCredential::with_fields("", USER, "wrong").unwrap());
        let run = attempt(&spec, ResumeState::default()).await;
        assert!(
            matches!(run.outcome, Outcome::Failed { status: WebErrorStatus::Unauthorized, .. }),
            "{path}"
        );
        spec.server_credential = Some(PasswordCredential::with_fields("", USER, PASSWORD).unwrap());
        assert_eq!(run_to_completion(&spec, &partial, &files.data).await.status_code, 200);
    }
    let schemes = |path| {
        requests(&server, path).iter().map(|l| l.rsplit(' ').next().unwrap().to_string()).collect::<Vec<_>>()
    };
    // No credential sent before a challenge; each credential sent once.
    assert_eq!(schemes("/basic"), ["auth=-", "auth=-", "auth=Basic", "auth=-", "auth=Basic"]);
    assert_eq!(schemes("/digest"), ["auth=-", "auth=-", "auth=Digest", "auth=-", "auth=Digest"]);
}

#[tokio::test]
async fn redirects_are_followed_and_credentials_stay_with_their_origin() {
    let files = Files::new(20_000);
    let server = files.server();
    let other = files.server();
    let partial = files.path("redirect.partial");
    let credential = PasswordCredential::with_fields("", USER, PASSWORD).unwrap();

    let mut spec = download(url(server.port, "/redirect?to=/basic&code=301"), partial.clone());
    spec.server_credential = Some(credential.clone());
    let response = run_to_completion(&spec, &partial, &files.data).await;
    assert_eq!(response.actual_url, url(server.port, "/basic"));

    let elsewhere = format!("/redirect?to=http://127.0.0.1:{}/basic&code=302", other.port);
    let mut spec = download(url(server.port, &elsewhere), partial.clone());
    spec.server_credential = Some(credential);
    spec.headers.push(("Authorization".into(), "Bearer app-token".into()));
    let run = attempt(&spec, ResumeState::default()).await;
    let Outcome::Failed { status, response, .. } = &run.outcome else {
        panic!("expected Failed, got {:?}", run.outcome);
    };
    assert_eq!(*status, WebErrorStatus::Unauthorized);
    assert_eq!(response.as_ref().unwrap().actual_url, url(other.port, "/basic"));
    assert_eq!(requests(&other, "/basic").len(), 1);
    assert!(requests(&other, "/basic")[0].ends_with("auth=-"), "{:?}", requests(&other, "/basic"));
    assert!(
        requests(&server, "/redirect")[1].ends_with("auth=Bearer"),
        "the app's header goes to its origin"
    );

    let spec = download(url(server.port, "/redirect?to=/redirect%3Fto%3D/data"), partial.clone());
    assert_eq!(run_to_completion(&spec, &partial, &files.data).await.actual_url, url(server.port, "/data"));
}

#[tokio::test]
async fn too_many_redirects_fail() {
    let files = Files::new(10);
    let server = files.server();
    let spec = download(url(server.port, "/redirect"), files.path("loop.partial"));
    let run = attempt(&spec, ResumeState::default()).await;
    assert!(
        matches!(run.outcome, Outcome::Failed { status: WebErrorStatus::RedirectFailed, .. }),
        "{:?}",
        run.outcome
    );
}

#[tokio::test]
async fn a_file_upload_arrives_byte_identical() {
    let files = Files::new(3 * 1024 * 1024 + 7);
    let server = files.server();
    let response_body = files.path("upload.response");
    let spec =
        upload(url(server.port, "/upload"), RequestBody::File(files.path("data.bin")), response_body.clone());
    let run = attempt(&spec, ResumeState::default()).await;
    assert_eq!(run.completed().status_code, 201);
    assert_eq!(read(&files.path("sink/1.body")), files.data);
    let size = files.data.len() as u64;
    assert_eq!((run.last().bytes_sent, run.last().total_bytes_to_send), (size, size));
    assert!(run.reports.windows(2).all(|w| w[0].0.bytes_sent <= w[1].0.bytes_sent));
    let text = String::from_utf8(read(&response_body)).unwrap();
    assert_eq!(text, format!("stored 1 {}\n", sha256(&files.data)));
    assert_eq!(run.last().bytes_received, text.len() as u64);
}

#[tokio::test]
async fn a_multipart_upload_arrives_part_by_part() {
    let files = Files::new(700_000);
    let server = files.server();
    let parts = vec![
        PartSpec {
            name: Some("title".into()),
            body: PartBody::Text("héllo wörld".into()),
            ..PartSpec::default()
        },
        PartSpec {
            name: Some("file".into()),
            file_name: Some("data.bin".into()),
            headers: vec![("X-Part".into(), "second".into())],
            body: PartBody::File(files.path("data.bin")),
        },
    ];
    let body = RequestBody::Multipart(MultipartSpec { parts, sub_type: "form-data".into(), boundary: None });
    let spec = upload(url(server.port, "/upload"), body, files.path("multipart.response"));
    let run = attempt(&spec, ResumeState::default()).await;
    assert_eq!(run.completed().status_code, 201);
    assert_eq!(read(&files.path("sink/1.part1.body")), "héllo wörld".as_bytes());
    assert_eq!(read(&files.path("sink/1.part2.body")), files.data);
    let meta = String::from_utf8(read(&files.path("sink/1.part2.headers"))).unwrap();
    assert!(meta.contains("\"name\": \"file\"") && meta.contains("\"filename\": \"data.bin\""), "{meta}");
    assert!(meta.contains("\"X-Part\": \"second\""), "{meta}");
    assert_eq!(run.last().bytes_sent, run.last().total_bytes_to_send);
    assert!(run.last().total_bytes_to_send > files.data.len() as u64);
}

#[tokio::test]
async fn a_307_resends_the_body_and_a_303_turns_into_get() {
    let files = Files::new(100_000);
    let server = files.server();
    let spec = upload(
        url(server.port, "/redirect?to=/upload&code=307"),
        RequestBody::File(files.path("data.bin")),
        files.path("307.response"),
    );
    let run = attempt(&spec, ResumeState::default()).await;
    assert_eq!(run.completed().status_code, 201);
    assert_eq!(read(&files.path("sink/1.body")), files.data);

    let partial = files.path("303.partial");
    let mut spec = download(url(server.port, "/redirect?to=/data&code=303"), partial.clone());
    spec.method = "POST".into();
    spec.body = RequestBody::File(files.path("data.bin"));
    run_to_completion(&spec, &partial, &files.data).await;
    assert!(requests(&server, "/data")[0].starts_with("REQUEST GET "));
}

#[tokio::test]
async fn the_stop_token_stops_a_slow_download_and_it_resumes() {
    let files = Files::new(4 * 1024 * 1024);
    let (nginx, dir) = nginx_transfer(&files.dir);
    let partial = files.path("stopped.partial");
    let stop = CancellationToken::new();
    let reports = Arc::new(Mutex::new(0u64));
    let (seen, token) = (reports.clone(), stop.clone());
    let progress = move |s: &Snapshot, _: Option<&ResponseSummary>| {
        *seen.lock().unwrap() = s.bytes_received;
        if s.bytes_received >= 256 * 1024 {
            token.cancel();
        }
    };
    let spec = download(url(nginx.port, "/slow/data.bin"), partial.clone());
    let outcome = within(engine::run(&spec, ResumeState::default(), &progress, stop)).await;
    let Outcome::Stopped { resume } = outcome else { panic!("expected Stopped, got {outcome:?}") };
    assert!(resume.offset >= 256 * 1024 && resume.offset < files.data.len() as u64, "{resume:?}");
    assert_eq!(std::fs::metadata(&partial).unwrap().len(), resume.offset);
    assert!(matches!(resume.validator, Some(Validator::ETag(_))));
    let offset = resume.offset;
    // The same file at full speed: same ETag, so a 206 for the rest.
    let spec = download(url(nginx.port, "/data.bin"), partial.clone());
    let run = attempt(&spec, resume).await;
    assert_eq!(run.completed().status_code, 206);
    assert_eq!(sha256(&read(&partial)), sha256(&files.data));
    let log = std::fs::read_to_string(dir.join("access.log")).unwrap();
    assert!(log.contains(&format!("GET /data.bin 206 range=bytes={offset}-")), "{log}");
}

#[tokio::test]
async fn the_stop_token_ends_an_attempt_with_a_silent_peer() {
    let files = Files::new(100_000);
    let server = files.server();
    let partial = files.path("silent.partial");
    let stop = CancellationToken::new();
    let (token, watched) = (stop.clone(), partial.clone());
    // The peer sends 10 bytes and falls silent: stop once they are on disk.
    tokio::spawn(async move {
        while std::fs::metadata(&watched).map_or(0, |m| m.len()) < 10 {
            tokio::time::sleep(std::time::Duration::from_millis(20)).await;
        }
        token.cancel();
    });
    let progress = |_: &Snapshot, _: Option<&ResponseSummary>| {};
    let spec = download(url(server.port, "/silent"), partial.clone());
    let outcome = within(engine::run(&spec, ResumeState::default(), &progress, stop)).await;
    let Outcome::Stopped { resume } = outcome else { panic!("expected Stopped, got {outcome:?}") };
    assert_eq!(resume.offset, 10);
    assert_eq!(read(&partial), files.data[..10]);
}

#[tokio::test]
async fn bad_input_fails_without_a_request() {
    let files = Files::new(10);
    let partial = files.path("bad.partial");
    let mut spec = download(url(1, "/x"), partial);
    spec.method = "BAD METHOD".into();
    let run = attempt(&spec, ResumeState::default()).await;
    assert!(
        matches!(&run.outcome, Outcome::Failed { error, .. } if error.hresult() == netrt::error::hresult::E_INVALIDARG)
    );
    let spec = upload(url(1, "/x"), RequestBody::File(files.path("missing")), files.path("r"));
    let run = attempt(&spec, ResumeState::default()).await;
    assert!(matches!(run.outcome, Outcome::Failed { .. }), "{:?}", run.outcome);
    let mut spec = download(url(1, "/x"), files.path("p"));
    spec.headers.push(("Bad Header".into(), "v".into()));
    let run = attempt(&spec, ResumeState::default()).await;
    assert!(
        matches!(&run.outcome, Outcome::Failed { error, .. } if error.hresult() == netrt::error::hresult::E_INVALIDARG)
    );
    // Nobody listens on port 1: the network failed, so another attempt may succeed.
    let run = attempt(&download(url(1, "/x"), files.path("q")), ResumeState::default()).await;
    assert!(
        matches!(&run.outcome, Outcome::Interrupted { error, .. } if error.web_error_status() == WebErrorStatus::CannotConnect),
        "{:?}",
        run.outcome
    );
}

#[tokio::test]
async fn https_downloads_and_https_to_http_redirects_are_refused() {
    let files = Files::new(200_000);
    let pki = common::Pki::get();
    let tls = (pki.path("leaf.pem"), pki.path("leaf.key"));
    let server =
        transfer_server(&files.path("data.bin"), &files.path("sink"), Some((&tls.0, &tls.1)), USER, PASSWORD);
    let secure =
        |path: &str| url::Url::parse(&format!("https://127.0.0.1:{}{path}", tls_port(&server))).unwrap();
    let partial = files.path("tls.partial");
    let response =
        run_to_completion(&download(secure("/data"), partial.clone()), &partial, &files.data).await;
    assert_eq!(response.actual_url, secure("/data"));

    let up = format!("/redirect?to=https://127.0.0.1:{}/data", tls_port(&server));
    let response =
        run_to_completion(&download(url(server.port, &up), partial.clone()), &partial, &files.data).await;
    assert_eq!(response.actual_url, secure("/data"), "http to https is followed");

    let down = format!("/redirect?to=http://127.0.0.1:{}/ignore-range", server.port);
    let run = attempt(&download(secure(&down), partial), ResumeState::default()).await;
    let Outcome::Failed { error, status, .. } = &run.outcome else {
        panic!("expected Failed, got {:?}", run.outcome);
    };
    assert_eq!(*status, WebErrorStatus::HttpsToHttpOnRedirection);
    assert_eq!(error.hresult(), netrt::error::hresult::WININET_E_HTTPS_TO_HTTP_ON_REDIR, "{error}");
    assert!(requests(&server, "/ignore-range").is_empty(), "nothing was sent over plain HTTP");
}
