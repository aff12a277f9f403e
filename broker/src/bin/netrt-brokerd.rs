//! `netrt-brokerd`: netrt's per-user socket broker and background-transfer service
//! (docs/broker.md, docs/background-transfer.md). The program is `netrt_broker::command_line`.

fn main() -> std::process::ExitCode {
    std::process::ExitCode::from(netrt_broker::command_line::main(std::env::args().skip(1)))
}
