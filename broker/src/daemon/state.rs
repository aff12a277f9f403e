//! What the broker knows: registered tasks, held sockets, recent activations, subscribers.

use std::collections::{BTreeMap, HashMap};

use tokio::sync::mpsc;

use crate::protocol::{Activation, SocketRecord, TaskId, TaskRegistration};

pub(crate) struct Held {
    pub record: SocketRecord,
    pub generation: u64,
    /// The socket's key in the watcher.
    pub key: usize,
    /// The activation this socket caused, if it has fired.
    pub activation: Option<String>,
}

pub(crate) struct State {
    pub tasks: BTreeMap<TaskId, TaskRegistration>,
    pub held: HashMap<String, Held>,
    /// Each activation, until its socket leaves the broker (so a started command can always
    /// ask about it while the socket is still held).
    activations: HashMap<String, Activation>,
    pub subscribers: HashMap<TaskId, Vec<mpsc::UnboundedSender<Activation>>>,
    next_generation: u64,
    next_activation: u64,
    /// Seconds since the epoch when the daemon started.
    started: u64,
}

impl Default for State {
    fn default() -> Self {
        let started = std::time::SystemTime::now()
            .duration_since(std::time::UNIX_EPOCH)
            .map(|d| d.as_secs())
            .unwrap_or_default();
        Self {
            tasks: BTreeMap::new(),
            held: HashMap::new(),
            activations: HashMap::new(),
            subscribers: HashMap::new(),
            next_generation: 0,
            next_activation: 0,
            started,
        }
    }
}

impl State {
    pub fn generation(&mut self) -> u64 {
        self.next_generation += 1;
        self.next_generation
    }

    /// A new activation id, in GUID form (the activated task's InstanceId): the daemon's pid,
    /// its start time and a counter, so ids never repeat across daemon restarts.
    pub fn activation_id(&mut self) -> String {
        self.next_activation += 1;
        let n = self.next_activation;
        let t = self.started;
        format!(
            "{:08x}-{:04x}-{:04x}-{:04x}-{:012x}",
            std::process::id(),
            (t >> 16) & 0xffff,
            t & 0xffff,
            (n >> 48) & 0xffff,
            n & 0xffff_ffff_ffff
        )
    }

    pub fn remember(&mut self, activation: Activation) {
        if let Some(held) = self.held.get_mut(&activation.socket.id) {
            held.activation = Some(activation.activation_id.clone());
        }
        self.activations.insert(activation.activation_id.clone(), activation);
    }

    /// Takes a socket out of the broker's hands, forgetting its activation.
    pub fn release(&mut self, id: &str) -> Option<Held> {
        let held = self.held.remove(id)?;
        if let Some(activation) = &held.activation {
            self.activations.remove(activation);
        }
        Some(held)
    }

    pub fn activation(&self, id: &str) -> Option<&Activation> {
        self.activations.get(id)
    }

    /// Hands an activation to a running instance of its task; gives it back when none listens.
    pub fn notify_subscriber(&mut self, activation: Activation) -> Option<Activation> {
        let Some(list) = self.subscribers.get_mut(&activation.socket.task_id) else {
            return Some(activation);
        };
        list.retain(|s| !s.is_closed());
        let mut pending = activation;
        for subscriber in list.iter() {
            match subscriber.send(pending) {
                Ok(()) => return None,
                Err(back) => pending = back.0,
            }
        }
        Some(pending)
    }

    pub fn held_for(&self, task_id: &TaskId) -> u32 {
        self.held.values().filter(|h| &h.record.task_id == task_id).count() as u32
    }

    pub fn is_subscribed(&self, task_id: &TaskId) -> bool {
        self.subscribers.get(task_id).is_some_and(|l| l.iter().any(|s| !s.is_closed()))
    }
}
