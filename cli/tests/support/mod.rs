//! Runs the `netrt` binary the way a person or a script does: arguments, stdin, stdout
//! (JSON Lines with `--json`), stderr and the exit status. Every wait is bounded.
#![allow(dead_code)] // Each test binary uses a different subset.

#[path = "../../../core/tests/util/peers.rs"]
pub mod peers;
#[path = "../../../core/tests/common/pki.rs"]
pub mod pki;
#[path = "../../../core/tests/util/web_peers.rs"]
pub mod web_peers;

use std::io::{BufRead, BufReader, Read, Write};
use std::process::{Child, ChildStdin, Command, Stdio};
use std::sync::mpsc;
use std::time::{Duration, Instant};

use serde_json::Value;

/// How long any one step may take before the test fails instead of hanging.
pub const STEP: Duration = Duration::from_secs(15);

/// A finished run.
#[derive(Debug)]
pub struct Output {
    pub status: i32,
    pub stdout: String,
    pub stderr: String,
}

impl Output {
    /// stdout as JSON Lines.
    pub fn json(&self) -> Vec<Value> {
        self.stdout
            .lines()
            .map(|l| {
                serde_json::from_str(l)
                    .unwrap_or_else(|e| panic!("not JSON ({e}): {l:?}\nstderr: {}", self.stderr))
            })
            .collect()
    }

    /// The JSON line whose `event` is `name`.
    pub fn event(&self, name: &str) -> Value {
        self.json()
            .into_iter()
            .find(|v| v["event"] == name)
            .unwrap_or_else(|| panic!("no {name:?} event in {:?}\nstderr: {}", self.stdout, self.stderr))
    }
}

/// A `netrt` command line, NO_COLOR unset so that colour is decided by the pipes alone.
pub fn command(args: &[&str]) -> Command {
    let mut cmd = Command::new(env!("CARGO_BIN_EXE_netrt"));
    cmd.args(args).env_remove("NO_COLOR").env_remove("http_proxy").env_remove("https_proxy");
    cmd.env_remove("HTTPS_PROXY").env_remove("all_proxy").env_remove("ALL_PROXY");
    cmd
}

/// Runs `netrt args` with `stdin` as its whole input and waits for it to exit.
pub fn run(args: &[&str], stdin: &str) -> Output {
    run_with(command(args), stdin)
}

pub fn run_with(mut cmd: Command, stdin: &str) -> Output {
    let mut session = Session::start(&mut cmd);
    session.send(stdin);
    session.close_stdin();
    session.finish()
}

/// A running `netrt`: lines of its stdout arrive as they are printed.
pub struct Session {
    child: Child,
    stdin: Option<ChildStdin>,
    lines: mpsc::Receiver<String>,
    seen: Vec<String>,
    stderr: mpsc::Receiver<String>,
}

impl Session {
    pub fn spawn(args: &[&str]) -> Session {
        Session::start(&mut command(args))
    }

    pub fn start(cmd: &mut Command) -> Session {
        let mut child = cmd
            .stdin(Stdio::piped())
            .stdout(Stdio::piped())
            .stderr(Stdio::piped())
            .spawn()
            .expect("run the netrt binary");
        let stdout = child.stdout.take().expect("piped");
        let (tx, lines) = mpsc::channel();
        std::thread::spawn(move || {
            for line in BufReader::new(stdout).lines().map_while(Result::ok) {
                let _ = tx.send(line);
            }
        });
        let mut stderr_pipe = child.stderr.take().expect("piped");
        let (tx, stderr) = mpsc::channel();
        std::thread::spawn(move || {
            let mut text = String::new();
            let _ = stderr_pipe.read_to_string(&mut text);
            let _ = tx.send(text);
        });
        let stdin = child.stdin.take();
        Session { child, stdin, lines, seen: Vec::new(), stderr }
    }

    /// The process id (to signal it).
    pub fn pid(&self) -> u32 {
        self.child.id()
    }

    /// The next line of stdout (panics after [`STEP`]).
    pub fn line(&mut self) -> String {
        let line = self.lines.recv_timeout(STEP).unwrap_or_else(|_| {
            let _ = self.child.kill();
            let stderr = self.stderr.recv_timeout(STEP).unwrap_or_default();
            panic!("netrt printed no line within {STEP:?}; stdout so far {:?}; stderr: {stderr}", self.seen)
        });
        self.seen.push(line.clone());
        line
    }

    /// The next stdout line, parsed as JSON.
    pub fn json_line(&mut self) -> Value {
        let line = self.line();
        serde_json::from_str(&line).unwrap_or_else(|e| panic!("not JSON ({e}): {line:?}"))
    }

    pub fn send(&mut self, text: &str) {
        let stdin = self.stdin.as_mut().expect("stdin is open");
        // netrt may already have exited (e.g. a refused connection): the test checks that.
        let _ = stdin.write_all(text.as_bytes());
        let _ = stdin.flush();
    }

    pub fn close_stdin(&mut self) {
        self.stdin.take();
    }

    /// Closes stdin and waits for the exit (see [`Session::wait_exit`]).
    pub fn finish(mut self) -> Output {
        self.close_stdin();
        self.wait_exit()
    }

    /// Waits for the exit with stdin as it is (killing netrt after [`STEP`]); stdout is
    /// everything it printed.
    pub fn wait_exit(mut self) -> Output {
        let deadline = Instant::now() + STEP;
        let status = loop {
            if let Some(status) = self.child.try_wait().expect("wait") {
                break status;
            }
            if Instant::now() > deadline {
                let _ = self.child.kill();
                let _ = self.child.wait();
                let stderr = self.stderr.recv_timeout(STEP).unwrap_or_default();
                panic!("netrt did not exit within {STEP:?}; stdout {:?}; stderr: {stderr}", self.seen);
            }
            std::thread::sleep(Duration::from_millis(10));
        };
        let mut stdout = self.seen.join("\n");
        while let Ok(line) = self.lines.recv_timeout(STEP) {
            if !stdout.is_empty() {
                stdout.push('\n');
            }
            stdout.push_str(&line);
        }
        let stderr = self.stderr.recv_timeout(STEP).unwrap_or_default();
        Output { status: status.code().unwrap_or(-1), stdout, stderr }
    }
}

/// A port nothing listens on (just released by the kernel).
pub fn closed_port() -> u16 {
    let listener = std::net::TcpListener::bind("127.0.0.1:0").expect("bind 127.0.0.1:0");
    listener.local_addr().expect("address").port()
}
