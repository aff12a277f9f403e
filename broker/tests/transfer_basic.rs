//! Background transfers through the test's private netrt-brokerd against real servers on
//! loopback: nginx (downloads, pause/resume, cancel, groups) and the aiohttp transfer server
//! (credentials, a recoverable 503, uploads).

mod common;

use std::os::unix::fs::PermissionsExt;
use std::path::Path;
use std::sync::Arc;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::time::{Duration, Instant};

use common::transfer_peers::{make_file, nginx, scratch, sha256_file, transfer_server};
use common::*;
use netrt::background_transfer::*;
use netrt::error::{WebErrorStatus, hresult};
use netrt::foundation::{AsyncOperation, Uri};
use netrt::security::PasswordCredential;
use netrt::storage::StorageFile;

const LIMIT: Duration = Duration::from_secs(60);

fn finish<T: Clone + Send + Sync + 'static>(op: &AsyncOperation<T>) -> netrt::Result<T> {
    assert!(op.wait(Some(Instant::now() + LIMIT)), "the operation did not finish within {LIMIT:?}");
    op.results()
}

fn uri(port: u16, path: &str) -> Uri {
    Uri::new(&format!("http://127.0.0.1:{port}/{path}")).unwrap()
}

/// Polls `f` until it holds (the daemon's state changes asynchronously).
fn eventually(what: &str, f: impl Fn() -> bool) {
    let deadline = Instant::now() + LIMIT;
    while !f() {
        assert!(Instant::now() < deadline, "{what} never happened; broker log:\n{}", log_tail());
        std::thread::sleep(Duration::from_millis(20));
    }
}

#[test]
fn a_download_from_nginx_arrives_whole_with_progress_and_response() {
    daemon();
    let dir = scratch("download");
    let www = dir.join("www");
    std::fs::create_dir_all(&www).unwrap();
    let sum = make_file(&www.join("big.bin"), 11, 24 << 20);
    let server = nginx(&www, &dir);
    let result = dir.join("out/big.bin");
    std::fs::create_dir_all(result.parent().unwrap()).unwrap();

    let downloader = BackgroundDownloader::new();
    downloader.set_request_header("X-Test", "a").unwrap();
    downloader.set_request_header("x-test", "b").unwrap();
    let op =
        downloader.create_download(&uri(server.port, "big.bin"), &StorageFile::from_path(&result)).unwrap();
    assert_eq!(op.progress().status, BackgroundTransferStatus::Idle);
    assert_eq!(op.method(), "GET");
    let reports = Arc::new(AtomicUsize::new(0));
    let started = op.start_async().unwrap();
    let seen = reports.clone();
    started
        .set_progress(Arc::new(move |p: DownloadOperation| {
            let progress = p.progress();
            assert!(progress.bytes_received <= 24 << 20);
            seen.fetch_add(1, Ordering::Relaxed);
        }))
        .unwrap();
    let done = finish(&started).expect("the download completes");
    assert_eq!(done.guid(), op.guid());
    assert_eq!(done.progress().status, BackgroundTransferStatus::Completed);
    assert_eq!(done.progress().bytes_received, 24 << 20);
    assert_eq!(sha256_file(&result), sum, "the result file has the served bytes");
    assert!(!Path::new(&format!("{}.partial", result.display())).exists(), "the partial file was renamed");
    let info = done.get_response_information().expect("response information");
    assert_eq!(info.status_code(), 200);
    assert!(info.is_resumable(), "nginx sends an ETag and accepts ranges");
    assert!(info.headers().iter().any(|(n, _)| n.eq_ignore_ascii_case("etag")));
    assert!(reports.load(Ordering::Relaxed) >= 1, "progress was reported");
    // Starting twice is refused.
    assert_eq!(op.start_async().unwrap_err().hresult(), hresult::E_ILLEGAL_METHOD_CALL);
    let log = std::fs::read_to_string(dir.join("access.log")).unwrap_or_default();
    assert!(log.contains("GET /big.bin 200"), "{log}");
}

#[test]
fn pause_resume_then_cancel_against_a_rate_limited_nginx() {
    daemon();
    let dir = scratch("pause");
    let www = dir.join("www");
    std::fs::create_dir_all(&www).unwrap();
    let sum = make_file(&www.join("slow.bin"), 12, 3 << 20);
    let server = nginx(&www, &dir);
    let result = dir.join("slow.bin");
    let op = BackgroundDownloader::new()
        .create_download(&uri(server.port, "slow/slow.bin"), &StorageFile::from_path(&result))
        .unwrap();
    assert_eq!(op.pause().unwrap_err().hresult(), hresult::E_ILLEGAL_METHOD_CALL, "not started");
    assert_eq!(op.resume().unwrap_err().hresult(), hresult::E_ILLEGAL_METHOD_CALL, "not paused");
    let started = op.start_async().unwrap();
    eventually("bytes arriving", || op.get_downloaded_ranges().first().is_some_and(|r| r.length > 0));
    op.pause().unwrap();
    eventually("the pause", || op.progress().status == BackgroundTransferStatus::PausedByApplication);
    assert_eq!(op.pause().unwrap_err().hresult(), hresult::E_ILLEGAL_METHOD_CALL, "already paused");
    let partial = format!("{}.partial", result.display());
    let kept = std::fs::metadata(&partial).expect("the partial file stays while paused").len();
    assert!(kept > 0);
    op.resume().unwrap();
    let done = finish(&started).expect("the resumed download completes");
    assert_eq!(sha256_file(&result), sum);
    assert!(!done.progress().has_restarted, "nginx honoured the range");
    let log = std::fs::read_to_string(dir.join("access.log")).unwrap();
    assert!(log.contains(&format!("206 range=bytes={kept}-")), "resumed with a range from {kept}:\n{log}");

    // Cancel: the partial file goes, the status is Canceled, the start operation is Canceled.
    let cancelled = dir.join("cancelled.bin");
    let op = BackgroundDownloader::new()
        .create_download(&uri(server.port, "slow/slow.bin"), &StorageFile::from_path(&cancelled))
        .unwrap();
    let started = op.start_async().unwrap();
    eventually("bytes arriving", || op.get_downloaded_ranges().first().is_some_and(|r| r.length > 0));
    started.cancel().unwrap();
    eventually("the cancel", || op.progress().status == BackgroundTransferStatus::Canceled);
    assert_eq!(started.status(), netrt::AsyncStatus::Canceled);
    eventually("the partial file's removal", || {
        !Path::new(&format!("{}.partial", cancelled.display())).exists()
    });
    assert!(!cancelled.exists());
}

#[test]
fn a_serialized_group_runs_one_at_a_time_a_parallel_one_together() {
    daemon();
    let dir = scratch("groups");
    let www = dir.join("www");
    std::fs::create_dir_all(&www).unwrap();
    make_file(&www.join("g.bin"), 13, 2 << 20);
    let server = nginx(&www, &dir);
    for behavior in [BackgroundTransferBehavior::Serialized, BackgroundTransferBehavior::Parallel] {
        let group = BackgroundTransferGroup::create_group(&format!("group-{behavior}"));
        group.set_transfer_behavior(behavior);
        let downloader = BackgroundDownloader::new();
        downloader.set_transfer_group(Some(group.clone()));
        let ops: Vec<DownloadOperation> = (0..2)
            .map(|i| {
                let file = StorageFile::from_path(dir.join(format!("{behavior}-{i}.bin")));
                downloader.create_download(&uri(server.port, "slow/g.bin"), &file).unwrap()
            })
            .collect();
        let listed =
            finish(&BackgroundDownloader::get_current_downloads_for_transfer_group_async(&group).unwrap())
                .unwrap();
        assert_eq!(listed.len(), 2, "the group's downloads are listed");
        let ungrouped = finish(&BackgroundDownloader::get_current_downloads_async().unwrap()).unwrap();
        assert!(
            ungrouped.iter().all(|o| !ops.contains(o)),
            "grouped downloads are not listed without the group"
        );
        let started: Vec<_> = ops.iter().map(|o| o.start_async().unwrap()).collect();
        // Whenever the second download reports receiving, note where the first one stands.
        let seen = Arc::new(std::sync::Mutex::new(Vec::new()));
        let (first, log) = (ops[0].clone(), seen.clone());
        started[1]
            .set_progress(Arc::new(move |second: DownloadOperation| {
                let p = second.progress();
                if p.status == BackgroundTransferStatus::Running && p.bytes_received > 0 {
                    log.lock().unwrap().push(first.progress().status);
                }
            }))
            .unwrap();
        for s in &started {
            finish(s).expect("each download completes");
        }
        let seen = seen.lock().unwrap().clone();
        assert!(!seen.is_empty(), "the second download reported progress while receiving");
        match behavior {
            // One at a time: the second received only once the first had completed.
            BackgroundTransferBehavior::Serialized => {
                assert!(seen.iter().all(|s| *s == BackgroundTransferStatus::Completed), "{seen:?}")
            }
            // Together: each takes seconds at 512 KiB/s, so the first was still running.
            BackgroundTransferBehavior::Parallel => {
                assert!(seen.contains(&BackgroundTransferStatus::Running), "{seen:?}")
            }
        }
        assert_eq!(ops[1].get_response_information().unwrap().status_code(), 200);
    }
}

#[test]
fn credentials_recoverable_statuses_uploads_and_private_state() {
    let d = daemon();
    let dir = scratch("server");
    let data = dir.join("data.bin");
    let sum = make_file(&data, 14, 1 << 20);
    let sink = dir.join("sink");
    std::fs::create_dir_all(&sink).unwrap();
    let server = transfer_server(&data, &sink, "alice", "s3cret-pass");

    // 401 without a ServerCredential: Error, with the status code's WebErrorStatus.
    let out = dir.join("out");
    std::fs::create_dir_all(&out).unwrap();
    let op = BackgroundDownloader::new()
        .create_download(&uri(server.port, "basic"), &StorageFile::from_path(out.join("nocred.bin")))
        .unwrap();
    let err = finish(&op.start_async().unwrap()).expect_err("401 fails the download");
    assert_eq!(BackgroundTransferError::get_status(err.hresult()), WebErrorStatus::Unauthorized, "{err}");
    assert_eq!(op.progress().status, BackgroundTransferStatus::Error);
    assert_eq!(op.current_web_error_status(), Some(WebErrorStatus::Unauthorized));

    // With it: 200 and the bytes.
    let downloader = BackgroundDownloader::new();
    downloader
        .set_server_credential(Some(PasswordCredential::with_fields("r", "alice", "s3cret-pass").unwrap()));
    let with = out.join("cred.bin");
    let op = downloader.create_download(&uri(server.port, "basic"), &StorageFile::from_path(&with)).unwrap();
    finish(&op.start_async().unwrap()).expect("the credential answers the 401");
    assert_eq!(sha256_file(&with), sum);

    // The state files are private and hold the password; the result directory never does.
    let transfers = d.dir.join("state/transfers");
    assert_eq!(std::fs::metadata(&transfers).unwrap().permissions().mode() & 0o777, 0o700);
    let mut found = false;
    for entry in std::fs::read_dir(&transfers).unwrap().flatten() {
        assert_eq!(entry.metadata().unwrap().permissions().mode() & 0o777, 0o600, "{:?}", entry.path());
        found |= std::fs::read(entry.path()).unwrap().windows(11).any(|w| w == b"s3cret-pass");
    }
    assert!(found, "the credential is kept in the daemon's state (to resume after a restart)");
    let log = std::fs::read_to_string(&d.log).unwrap();
    assert!(!log.contains("s3cret-pass"), "the daemon's debug log never has the password");
    for entry in std::fs::read_dir(&out).unwrap().flatten() {
        let bytes = std::fs::read(entry.path()).unwrap();
        assert!(!bytes.windows(11).any(|w| w == b"s3cret-pass"), "password in {:?}", entry.path());
    }

    // A 503 listed as recoverable pauses the download; Resume completes it.
    let flaky = out.join("flaky.bin");
    let op = BackgroundDownloader::new()
        .create_download(&uri(server.port, "flaky"), &StorageFile::from_path(&flaky))
        .unwrap();
    op.recoverable_web_error_statuses().append(WebErrorStatus::ServiceUnavailable).unwrap();
    assert_eq!(op.recoverable_web_error_statuses().to_vec(), vec![WebErrorStatus::ServiceUnavailable]);
    let started = op.start_async().unwrap();
    eventually("the recoverable pause", || {
        op.progress().status == BackgroundTransferStatus::PausedRecoverableWebErrorStatus
    });
    assert_eq!(op.current_web_error_status(), Some(WebErrorStatus::ServiceUnavailable));
    op.resume().unwrap();
    finish(&started).expect("the second request succeeds");
    assert_eq!(sha256_file(&flaky), sum);

    // Upload a file: the sink stores the same bytes.
    let uploader = BackgroundUploader::new();
    let up = uploader.create_upload(&uri(server.port, "upload"), &StorageFile::from_path(&data)).unwrap();
    assert_eq!(up.method(), "POST");
    let done = finish(&up.start_async().unwrap()).expect("the upload completes");
    assert_eq!(done.get_response_information().unwrap().status_code(), 201);
    assert_eq!(done.progress().bytes_sent, 1 << 20);
    let stored =
        std::fs::read_dir(&sink).unwrap().flatten().map(|e| e.path()).find(|p| {
            p.extension().is_some_and(|e| e == "body") && !p.display().to_string().contains(".part")
        });
    assert_eq!(sha256_file(&stored.expect("the stored upload")), sum);

    // From a stream: the app's bytes are spooled to a private file first, then sent.
    let streamed = netrt::io::InputStream::new(Arc::new(netrt::io::memory::MemorySource::new(
        b"streamed body".to_vec(),
    )));
    let up =
        finish(&uploader.create_upload_from_stream_async(&uri(server.port, "upload"), streamed).unwrap())
            .unwrap();
    assert!(up.source_file().is_none());
    let done = finish(&up.start_async().unwrap()).expect("the stream upload completes");
    let mut answer = String::new();
    let body = done.get_result_stream_at(0).unwrap();
    let bytes = tokio::runtime::Runtime::new()
        .unwrap()
        .block_on(body.read(4096, netrt::io::InputStreamOptions::None))
        .unwrap();
    answer.push_str(&String::from_utf8_lossy(&bytes));
    let expected = common::transfer_peers::sha256(b"streamed body");
    assert!(answer.starts_with("stored ") && answer.trim_end().ends_with(&expected), "{answer}");
    let spooled = netrt_broker::paths::state_dir().join(format!("transfer-bodies/{}.body", up.guid()));
    assert!(!spooled.exists(), "the spooled copy is removed once the upload is over");

    // A download whose request has a body (POST), from a file and from a stream: the result
    // file is the server's answer about the body it got.
    let poster = BackgroundDownloader::new();
    poster.set_method("POST").unwrap();
    let answer_file = out.join("answer-file.txt");
    let op = poster
        .create_download_with_request_body(
            &uri(server.port, "upload"),
            &StorageFile::from_path(&answer_file),
            &StorageFile::from_path(&data),
        )
        .unwrap();
    assert_eq!(op.method(), "POST");
    finish(&op.start_async().unwrap()).expect("the POST download completes");
    let said = std::fs::read_to_string(&answer_file).unwrap();
    assert!(said.trim_end().ends_with(&sum), "{said}");
    let answer_stream = out.join("answer-stream.txt");
    let body = netrt::io::InputStream::new(Arc::new(netrt::io::memory::MemorySource::new(
        b"streamed body".to_vec(),
    )));
    let op = finish(
        &poster
            .create_download_async(&uri(server.port, "upload"), &StorageFile::from_path(&answer_stream), body)
            .unwrap(),
    )
    .unwrap();
    finish(&op.start_async().unwrap()).expect("the POST download from a stream completes");
    let said = std::fs::read_to_string(&answer_stream).unwrap();
    assert!(said.trim_end().ends_with(&expected), "{said}");

    // Multipart: a text part and a file part arrive as parts.
    let text = BackgroundTransferContentPart::with_name("note");
    text.set_text("hello ☺");
    let file = BackgroundTransferContentPart::with_file_name("blob", "data.bin");
    file.set_file(&StorageFile::from_path(&data));
    let up = finish(
        &uploader.create_upload_async(&uri(server.port, "upload"), vec![text, file], None, None).unwrap(),
    )
    .unwrap();
    finish(&up.start_async().unwrap()).expect("the multipart upload completes");
    let parts: Vec<_> = std::fs::read_dir(&sink).unwrap().flatten().map(|e| e.path()).collect();
    let part = |suffix: &str| parts.iter().find(|p| p.display().to_string().ends_with(suffix)).cloned();
    assert_eq!(std::fs::read(part(".part1.body").expect("part 1")).unwrap(), "hello ☺".as_bytes());
    assert_eq!(sha256_file(&part(".part2.body").expect("part 2")), sum);
    let headers = std::fs::read_to_string(part(".part2.headers").unwrap()).unwrap();
    assert!(
        headers.contains("\"name\": \"blob\"") && headers.contains("\"filename\": \"data.bin\""),
        "{headers}"
    );
}

#[test]
fn bad_input_is_refused_with_precise_errors_and_settings_round_trip() {
    daemon();
    let dir = scratch("misuse");
    let file = StorageFile::from_path(dir.join("never.bin"));
    let downloader = BackgroundDownloader::new();
    let err = |r: netrt::Result<DownloadOperation>| r.expect_err("refused").hresult();
    let ftp = Uri::new("ftp://127.0.0.1/x").unwrap();
    assert_eq!(err(downloader.create_download(&ftp, &file)), hresult::E_INVALIDARG);
    let http = uri(9, "x");
    assert_eq!(
        err(downloader.create_download(&http, &StorageFile::from_path("relative.bin"))),
        hresult::E_INVALIDARG
    );
    assert_eq!(downloader.set_request_header("bad name", "v").unwrap_err().hresult(), hresult::E_INVALIDARG);
    assert_eq!(
        downloader.set_request_header("X-A", "line\nbreak").unwrap_err().hresult(),
        hresult::E_INVALIDARG
    );
    assert_eq!(downloader.set_method("").unwrap_err().hresult(), hresult::E_INVALIDARG);
    assert_eq!(BackgroundUploader::new().method(), "POST");
    let uploader = BackgroundUploader::new();
    assert_eq!(
        uploader.create_upload_async(&http, vec![], None, None).unwrap_err().hresult(),
        hresult::E_INVALIDARG
    );
    let part = BackgroundTransferContentPart::with_name("a");
    let long = "b".repeat(71);
    assert_eq!(
        uploader.create_upload_async(&http, vec![part], None, Some(&long)).unwrap_err().hresult(),
        hresult::E_INVALIDARG
    );
    assert_eq!(
        BackgroundDownloader::request_unconstrained_downloads_async(&[]).unwrap_err().hresult(),
        hresult::E_NOTIMPL
    );

    // Settings of an operation live in the daemon.
    let op = downloader.create_download(&http, &file).unwrap();
    assert_eq!(op.set_requested_uri(&uri(9, "y")).unwrap_err().hresult(), hresult::E_ILLEGAL_METHOD_CALL);
    op.set_priority(BackgroundTransferPriority::High).unwrap();
    op.set_cost_policy(BackgroundTransferCostPolicy::UnrestrictedOnly).unwrap();
    op.set_is_random_access_required(true).unwrap();
    let again = finish(&BackgroundDownloader::get_current_downloads_async().unwrap())
        .unwrap()
        .into_iter()
        .find(|o| o.guid() == op.guid())
        .expect("listed");
    assert_eq!(again.priority(), BackgroundTransferPriority::High);
    assert_eq!(again.cost_policy(), BackgroundTransferCostPolicy::UnrestrictedOnly);
    assert!(again.is_random_access_required());
    assert_eq!(again.result_file().path(), file.path());
    assert!(again.get_response_information().is_none());
    assert_eq!(again.get_result_stream_at(0).unwrap_err().hresult(), hresult::E_FILE_NOT_FOUND);
    assert_eq!(op.get_result_random_access_stream_reference().unwrap_err().hresult(), hresult::E_NOTIMPL);

    // The daemon refuses unknown GUIDs and bad requests on the wire, and keeps serving.
    use netrt_broker::protocol::{Message, TransferAction};
    let ask = |m: Message| {
        netrt_broker::client::Client::connect(&daemon().socket).unwrap().request(&m, &[]).unwrap().0
    };
    let not_found = 0x8007_0490_u32 as i32;
    for m in [
        Message::GetTransfer { guid: [0xee; 16] },
        Message::TransferCommand { guid: [0xee; 16], action: TransferAction::Cancel },
        Message::SubscribeTransfer { guid: [0xee; 16] },
    ] {
        assert!(matches!(ask(m), Message::Failed { hresult, .. } if hresult == not_found));
    }
    assert!(matches!(ask(Message::GetTransfer { guid: op.guid().to_bytes_le() }), Message::TransferState(_)));

    // WinRT's values and GetStatus.
    assert_eq!(BackgroundTransferStatus::PausedSystemPolicy as i32, 32);
    assert_eq!(BackgroundTransferStatus::PausedRecoverableWebErrorStatus as i32, 8);
    assert_eq!(BackgroundTransferPriority::Low as i32, 2);
    assert_eq!(BackgroundTransferBehavior::Serialized as i32, 1);
    assert_eq!(BackgroundTransferCostPolicy::from_raw(3).unwrap_err().hresult(), hresult::E_INVALIDARG);
    assert_eq!(BackgroundTransferError::get_status(0x8019_0194_u32 as i32), WebErrorStatus::NotFound);
}
