//! `netrt get`, `netrt transfers` and `netrt broker status` against a private netrt-brokerd,
//! nginx (large files, `/slow/` at 512 KiB/s) and the aiohttp transfer server (Basic auth).

mod support;
#[path = "support/transfer.rs"]
mod transfer;

use std::path::Path;

use serde_json::Value;
use support::web_peers::{nginx_transfer, transfer_server};
use support::{Output, Session, run_with};
use transfer::{broker, bytes, netrt, scratch, sha256, sha256_of};

/// A file big enough that a download is surely still running when a test acts on it: 3 MiB at
/// nginx's 512 KiB/s takes six seconds.
const SLOW_SIZE: usize = 3 << 20;

fn run_netrt(args: &[&str]) -> Output {
    run_with(netrt(args), "")
}

/// The `transfer` row of `netrt transfers list --json` for `guid`.
fn listed(guid: &str) -> Value {
    let out = run_netrt(&["transfers", "list", "--json"]);
    assert_eq!(out.status, 0, "{out:?}");
    out.json()
        .into_iter()
        .find(|row| row["guid"] == guid)
        .unwrap_or_else(|| panic!("{guid} is not listed: {}", out.stdout))
}

/// Reads `get --json` progress lines until one shows bytes received; returns the GUID.
fn guid_once_running(get: &mut Session) -> String {
    loop {
        let line = get.json_line();
        assert_eq!(line["event"], "progress", "{line}");
        if line["bytes_received"].as_u64().unwrap_or(0) > 0 {
            return line["guid"].as_str().expect("a GUID").to_owned();
        }
    }
}

fn www_with(name: &str, data: &[u8]) -> std::path::PathBuf {
    let www = scratch(&format!("www-{name}"));
    std::fs::write(www.join(name), data).expect("test file");
    www
}

#[test]
fn get_downloads_a_file_whose_sha256_matches_and_refuses_to_overwrite_it() {
    let data = bytes(1, 12 << 20);
    let www = www_with("big.bin", &data);
    let (server, _nginx_dir) = nginx_transfer(&www);
    let here = scratch("get-big");
    let uri = format!("http://127.0.0.1:{}/big.bin", server.port);

    let mut cmd = netrt(&["get", &uri, "--json"]);
    cmd.current_dir(&here);
    let out = run_with(cmd, "");
    assert_eq!(out.status, 0, "{out:?}\nbroker log:\n{}", transfer::broker_log());
    let lines = out.json();
    let (last, progress) = lines.split_last().expect("JSON lines");
    assert!(!progress.is_empty(), "no progress line: {}", out.stdout);
    assert!(progress.iter().all(|l| l["event"] == "progress"), "{}", out.stdout);
    assert_eq!(last["event"], "completed", "{last}");
    assert_eq!(last["status"], "Completed");
    assert_eq!(last["status_code"], 200);
    assert_eq!(last["bytes_received"], data.len() as u64);
    let file = here.join("big.bin");
    assert_eq!(last["file"], file.display().to_string(), "the URI's last segment, in the current directory");
    assert_eq!(sha256_of(&file), sha256(&data));

    // The file exists now: replaced only with --force.
    let mut again = netrt(&["get", &uri, "--json"]);
    again.current_dir(&here);
    let refused = run_with(again, "");
    assert_eq!(refused.status, 2, "{refused:?}");
    assert!(refused.event("error")["error"]["detail"].as_str().unwrap().contains("--force"), "{refused:?}");
    std::fs::write(&file, b"stale").unwrap();
    let mut forced = netrt(&["get", &uri, "--force", "-o", "big.bin"]);
    forced.current_dir(&here);
    let forced = run_with(forced, "");
    assert_eq!(forced.status, 0, "{forced:?}");
    assert!(forced.stderr.contains("Completed"), "{forced:?}");
    assert_eq!(sha256_of(&file), sha256(&data));
}

#[test]
fn basic_auth_fails_unauthorized_without_credentials_and_succeeds_with_them() {
    let data = bytes(2, 300_000);
    let dir = scratch("auth");
    std::fs::write(dir.join("data"), &data).unwrap();
    std::fs::create_dir_all(dir.join("sink")).unwrap();
    let server = transfer_server(&dir.join("data"), &dir.join("sink"), None, "alice", "s3cret");
    let uri = format!("http://127.0.0.1:{}/basic", server.port);
    let target = dir.join("basic.bin");
    let target = target.to_str().unwrap();

    let denied = run_netrt(&["get", &uri, "-o", target, "--json"]);
    assert_eq!(denied.status, 1, "{denied:?}");
    let error = &denied.event("error")["error"];
    assert_eq!(error["hresult"], "0x80190191", "{error}");
    assert_eq!(error["web_error_status"]["name"], "Unauthorized");
    assert!(!Path::new(target).exists());

    let mut cmd =
        netrt(&["get", &uri, "-o", target, "--user", "alice", "--password-env", "GET_PW", "--json"]);
    cmd.env("GET_PW", "s3cret");
    let out = run_with(cmd, "");
    assert_eq!(out.status, 0, "{out:?}\nbroker log:\n{}", transfer::broker_log());
    assert_eq!(out.json().last().unwrap()["status"], "Completed");
    assert_eq!(sha256_of(Path::new(target)), sha256(&data));

    let missing =
        run_netrt(&["get", &uri, "-o", target, "--force", "--user", "a", "--password-env", "NO_SUCH_VAR_X"]);
    assert_eq!(missing.status, 4, "{missing:?}");
}

#[test]
fn ctrl_c_detaches_and_attach_completes_the_download() {
    let data = bytes(3, SLOW_SIZE);
    let www = www_with("detach.bin", &data);
    let (server, _nginx_dir) = nginx_transfer(&www);
    let target = scratch("detach").join("detach.bin");
    let uri = format!("http://127.0.0.1:{}/slow/detach.bin", server.port);

    let mut get = Session::start(&mut netrt(&["get", &uri, "-o", target.to_str().unwrap(), "--json"]));
    let guid = guid_once_running(&mut get);
    // SAFETY: signals the child this test started.
    unsafe { libc::kill(get.pid() as i32, libc::SIGINT) };
    let out = get.wait_exit();
    assert_eq!(out.status, 130, "{out:?}");
    let detached = out.event("detached");
    assert_eq!(detached["guid"], guid.as_str());
    assert_eq!(detached["attach"], format!("netrt transfers attach {guid}"));

    let row = listed(&guid);
    assert_eq!(row["kind"], "download");
    assert_eq!(row["uri"], uri);
    assert_eq!(row["file"], target.display().to_string());
    assert!(["Running", "Completed"].contains(&row["status"].as_str().unwrap()), "still going: {row}");
    let table = run_netrt(&["transfers"]);
    assert_eq!(table.status, 0, "{table:?}");
    assert!(table.stdout.lines().any(|l| l.starts_with(&guid) && l.contains(&uri)), "{table:?}");

    let attached = run_netrt(&["transfers", "attach", &guid, "--json"]);
    assert_eq!(attached.status, 0, "{attached:?}\nbroker log:\n{}", transfer::broker_log());
    let last = attached.json().pop().unwrap();
    assert_eq!(last["event"], "completed", "{last}");
    assert_eq!(last["bytes_received"], SLOW_SIZE as u64);
    assert_eq!(sha256_of(&target), sha256(&data));
    assert_eq!(listed(&guid)["status"], "Completed");
}

#[test]
fn pause_resume_and_cancel_show_in_the_list() {
    let data = bytes(4, SLOW_SIZE);
    let www = www_with("pause.bin", &data);
    let (server, _nginx_dir) = nginx_transfer(&www);
    let target = scratch("pause").join("pause.bin");
    let uri = format!("http://127.0.0.1:{}/slow/pause.bin", server.port);

    let mut get = Session::start(&mut netrt(&["get", &uri, "-o", target.to_str().unwrap(), "--json"]));
    let guid = guid_once_running(&mut get);

    let paused = run_netrt(&["transfers", "pause", &guid, "--json"]);
    assert_eq!(paused.status, 0, "{paused:?}");
    assert_eq!(listed(&guid)["status"], "PausedByApplication");
    let twice = run_netrt(&["transfers", "pause", &guid]);
    assert_eq!(twice.status, 1, "pausing a paused download is E_ILLEGAL_METHOD_CALL: {twice:?}");
    assert!(twice.stderr.contains("0x8000000E"), "{twice:?}");

    let resumed = run_netrt(&["transfers", "resume", &guid]);
    assert_eq!(resumed.status, 0, "{resumed:?}");
    let status = listed(&guid)["status"].as_str().unwrap().to_owned();
    assert!(["Idle", "Running"].contains(&status.as_str()), "resumed: {status}");

    // Ctrl-C detaches `transfers attach` as it does `get`.
    let mut attach = Session::start(&mut netrt(&["transfers", "attach", &guid, "--json"]));
    assert_eq!(attach.json_line()["event"], "progress");
    // SAFETY: signals the child this test started.
    unsafe { libc::kill(attach.pid() as i32, libc::SIGINT) };
    let detached = attach.wait_exit();
    assert_eq!(detached.status, 130, "{detached:?}");
    assert_eq!(detached.event("detached")["guid"], guid.as_str());
    let status = listed(&guid)["status"].as_str().unwrap().to_owned();
    assert!(["Idle", "Running"].contains(&status.as_str()), "detaching left it going: {status}");

    let cancelled = run_netrt(&["transfers", "cancel", &guid, "--json"]);
    assert_eq!(cancelled.status, 0, "{cancelled:?}\nbroker log:\n{}", transfer::broker_log());
    assert_eq!(cancelled.json()[0]["status"], "Canceled");
    assert_eq!(listed(&guid)["status"], "Canceled");
    assert!(!target.exists(), "a cancelled download leaves no result file");

    // The `get` that started it ends with the transfer's cancellation.
    let out = get.wait_exit();
    assert_eq!(out.status, 1, "{out:?}");
    assert_eq!(out.event("error")["error"]["hresult"], "0x800704C7", "{out:?}");
}

#[test]
fn an_unknown_or_malformed_guid_is_a_usage_error() {
    broker();
    let unknown = run_netrt(&["transfers", "pause", "01234567-89ab-cdef-0123-456789abcdef"]);
    assert_eq!(unknown.status, 2, "{unknown:?}");
    assert!(unknown.stderr.contains("no transfer 01234567-89ab-cdef-0123-456789abcdef"), "{unknown:?}");
    let malformed = run_netrt(&["transfers", "attach", "not-a-guid", "--json"]);
    assert_eq!(malformed.status, 2, "{malformed:?}");
    assert_eq!(malformed.event("error")["error"]["kind"], "usage");
}

#[test]
fn get_refuses_what_it_cannot_download_as_usage_errors() {
    let target = scratch("refused").join("x.bin");
    let target = target.to_str().unwrap();
    let not_http = run_netrt(&["get", "ftp://127.0.0.1/x.bin", "-o", target, "--json"]);
    assert_eq!(not_http.status, 2, "{not_http:?}");
    assert!(not_http.event("error")["error"]["detail"].as_str().unwrap().contains("http"), "{not_http:?}");
    let no_name = run_netrt(&["get", "http://127.0.0.1:9/dir/"]);
    assert_eq!(no_name.status, 2, "{no_name:?}");
    assert!(no_name.stderr.contains("-o FILE"), "{no_name:?}");
    let bad_header = run_netrt(&["get", "http://127.0.0.1:9/x.bin", "-o", target, "-H", "no colon"]);
    assert_eq!(bad_header.status, 2, "{bad_header:?}");
    assert!(!Path::new(target).exists());
}

#[test]
fn broker_status_lists_a_registered_task() {
    use netrt::broker::{BackgroundTaskBuilder, SocketActivityTrigger};
    let broker = broker();
    let mut builder = BackgroundTaskBuilder::new();
    builder.set_name("cli-status-task");
    builder.set_task_entry_point("/bin/true --from-netrt-cli-test");
    builder.set_trigger(SocketActivityTrigger::new());
    let registration = builder.register().expect("register a task");
    // A download created (never started) is one the daemon keeps.
    let idle = netrt::background_transfer::BackgroundDownloader::new()
        .create_download(
            &netrt::foundation::Uri::new("http://127.0.0.1:9/never-started").unwrap(),
            &netrt::storage::StorageFile::from_path(scratch("status-idle").join("never")),
        )
        .expect("create a download");

    let out = run_netrt(&["broker", "status", "--json"]);
    assert_eq!(out.status, 0, "{out:?}");
    let daemon = out.event("broker");
    assert!(daemon["pid"].as_u64().unwrap() > 0, "{daemon}");
    assert_eq!(daemon["socket"], broker.socket.display().to_string());
    assert!(daemon["transfers"].as_u64().unwrap() >= 1, "{daemon}");
    let idle_guid = idle.guid().to_string();
    assert_eq!(listed(&idle_guid)["status"], "Idle");
    // A download never started can be cancelled too.
    let cancelled = run_netrt(&["transfers", "cancel", &idle_guid]);
    assert_eq!(cancelled.status, 0, "{cancelled:?}");
    assert_eq!(listed(&idle_guid)["status"], "Canceled");
    let task = out
        .json()
        .into_iter()
        .find(|l| l["event"] == "task" && l["name"] == "cli-status-task")
        .unwrap_or_else(|| panic!("the task is not listed: {}", out.stdout));
    assert_eq!(task["task_id"], registration.task_id().to_string());
    assert_eq!(task["command"], "/bin/true --from-netrt-cli-test");
    assert_eq!(task["held_sockets"], 0);
    assert_eq!(task["subscribed"], false);

    let text = run_netrt(&["broker", "status"]);
    assert_eq!(text.status, 0, "{text:?}");
    assert!(text.stdout.contains("cli-status-task"), "{text:?}");
    registration.unregister(false).expect("unregister");
}

#[test]
fn broker_status_without_a_daemon_fails_and_starts_none() {
    let dir = scratch("no-daemon");
    let socket = dir.join("broker.sock");
    let mut cmd = netrt(&["broker", "status", "--json"]);
    cmd.env("NETRT_BROKER_SOCKET", &socket);
    let out = run_with(cmd, "");
    assert_eq!(out.status, 1, "{out:?}");
    assert_eq!(out.event("error")["error"]["name"], "ERROR_SERVICE_NOT_ACTIVE");
    assert!(!socket.exists(), "broker status started a daemon");
}

/// The progress bar is drawn on a terminal (a pseudo-terminal made by util-linux `script`) and
/// not otherwise: without a terminal, stderr has only the plain final report.
#[test]
fn the_progress_bar_is_drawn_on_a_terminal_only() {
    let data = bytes(7, SLOW_SIZE / 2);
    let www = www_with("tty.bin", &data);
    let (server, _nginx_dir) = nginx_transfer(&www);
    let here = scratch("get-tty");
    let uri = format!("http://127.0.0.1:{}/slow/tty.bin", server.port);

    let file = here.join("on-tty.bin");
    let inner = netrt(&["get", &uri, "-o", file.to_str().unwrap()]);
    let program = inner.get_program().to_str().unwrap().to_owned();
    let args: Vec<String> = inner.get_args().map(|a| a.to_str().unwrap().to_owned()).collect();
    let line = std::iter::once(program).chain(args).map(|a| format!("'{a}'")).collect::<Vec<_>>().join(" ");
    let mut script = std::process::Command::new("script");
    script.args(["-q", "-e", "-c", &line, "/dev/null"]);
    for (key, value) in inner.get_envs() {
        match value {
            Some(v) => script.env(key, v),
            None => script.env_remove(key),
        };
    }
    let drawn = run_with(script, "");
    assert_eq!(drawn.status, 0, "{drawn:?}");
    assert!(
        drawn.stdout.contains("ETA") && drawn.stdout.contains("=>"),
        "no bar drawn on the terminal: {drawn:?}"
    );
    assert_eq!(sha256_of(&file), sha256(&data));

    let plain_file = here.join("plain.bin");
    let plain = run_netrt(&["get", &uri, "-o", plain_file.to_str().unwrap()]);
    assert_eq!(plain.status, 0, "{plain:?}");
    assert!(
        !plain.stderr.contains("ETA") && !plain.stderr.contains("=>"),
        "a bar without a terminal: {plain:?}"
    );
    assert!(plain.stderr.contains("Completed"), "{plain:?}");
    assert_eq!(sha256_of(&plain_file), sha256(&data));
}
