//! `netrt broker status`: what netrt-brokerd holds, from `BrokerStatus::query` (which never
//! starts a daemon: with none running, it is an error).

use netrt::broker::BrokerStatus;
use serde_json::json;

use crate::failure::Failure;
use crate::output::{DIM, LABEL, json_line};

pub fn run(json: bool) -> Result<(), Failure> {
    let status = BrokerStatus::query()?;
    if json {
        json_line(&json!({
            "event": "broker",
            "pid": status.pid,
            "version": status.version,
            "socket": status.socket.display().to_string(),
            "held_sockets": status.held_sockets,
            "transfers": status.transfers,
            "tasks": status.tasks.len(),
        }));
        for task in &status.tasks {
            json_line(&json!({
                "event": "task",
                "task_id": task.task_id.to_string(),
                "name": task.name,
                "command": task.command,
                "held_sockets": task.held_sockets,
                "subscribed": task.subscribed,
            }));
        }
        return Ok(());
    }
    anstream::println!(
        "{LABEL}netrt-brokerd{LABEL:#} {} (pid {}) on {}",
        status.version,
        status.pid,
        status.socket.display()
    );
    anstream::println!(
        "  {} tasks, {} sockets held, {} background transfers",
        status.tasks.len(),
        status.held_sockets,
        status.transfers
    );
    for task in &status.tasks {
        let subscribed = if task.subscribed { ", a running instance subscribed" } else { "" };
        anstream::println!(
            "{LABEL}task{LABEL:#} {} {:?}: {} sockets held{subscribed}",
            task.task_id,
            task.name,
            task.held_sockets
        );
        anstream::println!("  {DIM}runs{DIM:#} {}", task.command);
    }
    Ok(())
}
