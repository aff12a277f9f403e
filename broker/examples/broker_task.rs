//! A background task for the socket broker, in two roles (the end-to-end tests and
//! `make demo` use it):
//!
//! * `broker_task transfer <port> <task-id> <socket-id> <expected-bytes>`: the app. Connects
//!   to 127.0.0.1:<port>, hands the connection to the broker with the expected byte count as
//!   context, and exits.
//! * `broker_task` (no arguments), started by the broker: the activated task. Reads its
//!   activation, records the reason in `$BROKER_TASK_REPORT_DIR/<socket-id>` and, on
//!   SocketActivity, reclaims the socket, reads exactly the expected bytes and answers
//!   `ok <count> <fnv1a-64 hex>\n`.

use std::process::ExitCode;

use netrt::broker::{BackgroundTaskInstance, SocketActivityContext, SocketActivityTriggerReason};
use netrt::foundation::Guid;
use netrt::{HostName, StreamSocket};

/// FNV-1a, 64 bits: a checksum both ends compute the same way.
fn fnv1a(data: &[u8]) -> u64 {
    data.iter().fold(0xcbf2_9ce4_8422_2325, |h, b| (h ^ u64::from(*b)).wrapping_mul(0x100_0000_01b3))
}

async fn transfer(port: &str, task: &str, id: &str, expected: u32) -> netrt::Result<()> {
    let socket = StreamSocket::new();
    socket.enable_transfer_ownership(Guid::parse(task)?)?;
    socket.connect(&HostName::new("127.0.0.1")?, port).await?;
    socket.transfer_ownership_with_context(id, &SocketActivityContext::new(&expected.to_le_bytes()))
}

async fn activated() -> netrt::Result<()> {
    let instance = BackgroundTaskInstance::current()?.ok_or_else(|| {
        netrt::Error::invalid_arg("not started by the socket broker (no activation in the environment)")
    })?;
    let deferral = instance.get_deferral();
    let details = instance.trigger_details().socket_activity()?;
    let info = details.socket_information();
    if let Some(dir) = std::env::var_os("BROKER_TASK_REPORT_DIR") {
        let line = format!("{:?} {:?} {}\n", details.reason(), info.socket_kind(), info.task_id());
        let _ = std::fs::write(std::path::Path::new(&dir).join(info.id()), line);
    }
    if details.reason() == SocketActivityTriggerReason::SocketActivity {
        let context = info.context();
        let expected = u32::from_le_bytes(context.data().try_into().unwrap_or([0; 4])) as usize;
        let socket = info.stream_socket()?;
        let mut data = vec![0u8; expected];
        let mut got = 0;
        while got < expected {
            let n = socket.read_some(&mut data[got..]).await?;
            if n == 0 {
                break;
            }
            got += n;
        }
        socket.write_all(format!("ok {got} {:016x}\n", fnv1a(&data[..got])).as_bytes()).await?;
        socket.close();
    }
    deferral.complete();
    Ok(())
}

#[tokio::main(flavor = "current_thread")]
async fn main() -> ExitCode {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let outcome = match args.as_slice() {
        [mode, port, task, id, expected] if mode == "transfer" => match expected.parse() {
            Ok(n) => transfer(port, task, id, n).await,
            Err(e) => Err(netrt::Error::invalid_arg(format!("expected-bytes: {e}"))),
        },
        [] => activated().await,
        _ => Err(netrt::Error::invalid_arg("usage: broker_task [transfer PORT TASK-ID SOCKET-ID BYTES]")),
    };
    match outcome {
        Ok(()) => ExitCode::SUCCESS,
        Err(e) => {
            eprintln!("broker_task: 0x{:08X} {}", e.hresult() as u32, e);
            ExitCode::FAILURE
        }
    }
}
