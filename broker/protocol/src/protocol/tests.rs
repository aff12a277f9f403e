use std::os::fd::OwnedFd;

use super::frame::Role;
use super::*;

fn record(id: &str, kind: SocketKind, context: &[u8]) -> SocketRecord {
    SocketRecord { id: id.into(), task_id: [7; 16], kind, context: context.to_vec() }
}

fn task() -> TaskRegistration {
    TaskRegistration {
        task_id: [1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15, 16],
        name: "échos ☺".into(),
        command: "/usr/bin/app --background".into(),
        env: vec![("A".into(), "1".into()), ("EMPTY".into(), String::new())],
    }
}

fn transfer_request() -> TransferRequest {
    TransferRequest {
        guid: [8; 16],
        kind: TransferKind::Upload,
        method: "PUT".into(),
        uri: "https://example.test/up?q=ü".into(),
        headers: vec![("X-One".into(), "1, 2".into())],
        server_credential: Some(Credential {
            resource: "r".into(),
            user_name: "u".into(),
            password: "p".into(),
        }),
        proxy_credential: None,
        body: BodySource::Multipart {
            parts: vec![
                PartSource { name: Some("a".into()), text: Some("text".into()), ..Default::default() },
                PartSource {
                    name: Some("f".into()),
                    file_name: Some("f.bin".into()),
                    headers: vec![("Content-Type".into(), "application/octet-stream".into())],
                    file: Some("/tmp/f.bin".into()),
                    ..Default::default()
                },
            ],
            sub_type: "form-data".into(),
            boundary: None,
        },
        path: String::new(),
        group: Some("nightly".into()),
        group_behavior: 1,
        priority: 1,
        cost_policy: 2,
        recoverable: vec![503],
        random_access_required: false,
    }
}

fn transfer_state() -> TransferState {
    TransferState {
        status: 8,
        bytes_received: 5,
        total_bytes_to_receive: 10,
        bytes_sent: 3,
        total_bytes_to_send: 3,
        has_restarted: true,
        response: Some(ResponseInfo {
            status_code: 503,
            actual_uri: "https://example.test/other".into(),
            headers: vec![("Retry-After".into(), "1".into())],
            is_resumable: false,
        }),
        web_error: Some(503),
        error: Some((-1, "why".into())),
        started: true,
        body_path: "/state/x.partial".into(),
        validator: "E\"abc\"".into(),
        ..TransferState::new(transfer_request())
    }
}

#[test]
fn the_daemon_never_sends_passwords_back() {
    let stripped = transfer_request().without_secrets();
    assert_eq!(stripped.server_credential.as_ref().map(|c| c.password.as_str()), Some(""));
    assert_eq!(stripped.server_credential.map(|c| c.user_name), Some("u".into()));
    assert!(!format!("{:?}", transfer_request()).contains("\"p\""), "Debug never prints a password");
}

/// One of every message, with non-trivial fields.
fn every_message() -> Vec<Message> {
    vec![
        Message::Hello { version: VERSION },
        Message::Welcome { version: VERSION },
        Message::RegisterTask(task()),
        Message::UnregisterTask { task_id: [9; 16] },
        Message::ListTasks,
        Message::Tasks(vec![task(), TaskRegistration { env: vec![], ..task() }]),
        Message::Transfer(Transfer {
            socket: record("chat", SocketKind::StreamSocket, b"ctx\0bytes"),
            keep_alive_ms: 90_000,
            wake: true,
        }),
        Message::Reclaim { ids: vec!["a".into(), String::new(), "ü".into()] },
        Message::Reclaimed {
            sockets: vec![
                record("l", SocketKind::StreamSocketListener, b""),
                record("d", SocketKind::DatagramSocket, &[0xff; 40]),
            ],
            last: false,
        },
        Message::ListSockets,
        Message::Sockets(vec![record("s", SocketKind::StreamSocket, b"x")]),
        Message::Subscribe { task_id: [3; 16] },
        Message::ActivationDetails { activation_id: "act-1".into() },
        Message::Activated(Activation {
            activation_id: "act-2".into(),
            reason: Reason::KeepAliveTimerExpired,
            socket: record("s", SocketKind::StreamSocket, b"c"),
        }),
        Message::StatusQuery,
        Message::Status(Status {
            pid: 42,
            version: "0.1.0".into(),
            tasks: vec![TaskStatus { task: task(), held_sockets: 3, subscribed: true }],
            held_sockets: 4,
            transfers: 5,
        }),
        Message::CreateTransfer(Box::new(transfer_request())),
        Message::TransferCommand { guid: [3; 16], action: TransferAction::Resume },
        Message::ChangeTransfer { guid: [3; 16], change: TransferChange::Header("X-A".into(), None) },
        Message::ChangeTransfer { guid: [3; 16], change: TransferChange::Recoverable(vec![404, 503]) },
        Message::ChangeTransfer { guid: [3; 16], change: TransferChange::RequestedUri("http://h/x".into()) },
        Message::ListTransfers { kind: TransferKind::Upload, group: Some("g".into()) },
        Message::ListTransfers { kind: TransferKind::Download, group: None },
        Message::Transfers(vec![transfer_state(), TransferState::new(transfer_request())]),
        Message::GetTransfer { guid: [4; 16] },
        Message::TransferState(Box::new(transfer_state())),
        Message::SubscribeTransfer { guid: [5; 16] },
        Message::Ok,
        Message::Failed { hresult: 0x8000_4001_u32 as i32, message: "not implemented".into() },
    ]
}

fn decode_all(bytes: &[u8]) -> Result<Vec<Message>, DecodeError> {
    let mut d = FrameDecoder::default();
    d.push(bytes);
    let mut out = Vec::new();
    while let Some(m) = d.next_message()? {
        out.push(m);
    }
    Ok(out)
}

fn frame_of(body: &[u8]) -> Vec<u8> {
    let mut f = (body.len() as u32).to_le_bytes().to_vec();
    f.extend_from_slice(body);
    f
}

#[test]
fn every_message_round_trips() {
    for m in every_message() {
        let bytes = encode(&m).expect("encodes");
        assert_eq!(decode_all(&bytes).expect("decodes"), vec![m.clone()], "{m:?}");
    }
}

#[test]
fn a_stream_fed_one_byte_at_a_time_yields_the_same_messages() {
    let stream: Vec<u8> = every_message().iter().flat_map(|m| encode(m).unwrap()).collect();
    let mut d = FrameDecoder::default();
    let mut out = Vec::new();
    for b in &stream {
        d.push(std::slice::from_ref(b));
        while let Some(m) = d.next_message().unwrap() {
            out.push(m);
        }
    }
    assert_eq!(out, every_message());
    assert_eq!(d.buffered(), 0);
}

#[test]
fn every_truncation_waits_for_more_bytes_without_error() {
    for m in every_message() {
        let bytes = encode(&m).unwrap();
        for cut in 0..bytes.len() {
            assert_eq!(decode_all(&bytes[..cut]), Ok(vec![]), "{m:?} cut at {cut}");
        }
    }
}

#[test]
fn a_body_shorter_than_its_fields_is_malformed() {
    for m in every_message() {
        let body = m.body();
        for cut in 1..body.len() {
            let got = decode_all(&frame_of(&body[..cut]));
            assert!(
                matches!(got, Err(DecodeError::Malformed(_) | DecodeError::NotHello)),
                "{m:?} cut {cut}: {got:?}"
            );
        }
    }
}

#[test]
fn malformed_frames_fail_cleanly_and_stay_failed() {
    let cases: Vec<(Vec<u8>, DecodeError)> = vec![
        (vec![0, 0, 0, 0], DecodeError::Malformed("an empty frame")),
        (((MAX_FRAME + 1) as u32).to_le_bytes().to_vec(), DecodeError::TooLong(MAX_FRAME + 1)),
        (frame_of(&[200]), DecodeError::UnknownType(200)),
        (frame_of(&[17, 0]), DecodeError::Malformed("bytes follow the last field of a message")),
        (frame_of(&[1, b'X', b'R', b'T', b'B', 1, 0]), DecodeError::NotHello),
        (frame_of(&[13, 2, 0, 0, 0, 0xff, 0xfe]), DecodeError::Malformed("a string is not UTF-8")),
        (frame_of(&[11, 0xff, 0xff, 0xff, 0xff]), DecodeError::Malformed("a list is longer than its frame")),
    ];
    for (bytes, want) in cases {
        let mut d = FrameDecoder::default();
        d.push(&bytes);
        assert_eq!(d.next_message(), Err(want.clone()));
        d.push(&encode(&Message::Ok).unwrap());
        assert_eq!(d.next_message(), Err(want), "a failed decoder decodes nothing more");
    }
}

#[test]
fn a_transfer_with_a_bad_kind_or_oversized_context_is_malformed() {
    let mut bad_kind = Message::Transfer(Transfer {
        socket: record("s", SocketKind::StreamSocket, b""),
        keep_alive_ms: 0,
        wake: false,
    })
    .body();
    // tag, id (4 + 1), task id (16), then the kind byte.
    bad_kind[1 + 5 + 16] = 9;
    assert_eq!(decode_all(&frame_of(&bad_kind)), Err(DecodeError::Malformed("unknown socket kind")));
    let big = Message::Transfer(Transfer {
        socket: record("s", SocketKind::StreamSocket, &vec![0; MAX_CONTEXT + 1]),
        keep_alive_ms: 0,
        wake: false,
    });
    assert!(matches!(decode_all(&encode(&big).unwrap()), Err(DecodeError::Malformed(_))));
}

#[test]
fn a_reclaim_batch_never_claims_more_than_scm_max_fd() {
    let sockets =
        (0..MAX_FDS_PER_MESSAGE + 1).map(|i| record(&i.to_string(), SocketKind::StreamSocket, b"")).collect();
    let bytes = encode(&Message::Reclaimed { sockets, last: true }).unwrap();
    assert!(matches!(decode_all(&bytes), Err(DecodeError::Malformed(_))));
}

fn dev_null() -> OwnedFd {
    std::fs::File::open("/dev/null").expect("/dev/null").into()
}

#[test]
fn the_daemon_inbox_wants_a_hello_of_its_version_first() {
    let mut inbox = Inbox::new(Role::Daemon);
    inbox.push(&encode(&Message::ListSockets).unwrap(), []).unwrap();
    assert_eq!(inbox.next_message().err(), Some(DecodeError::NotHello));

    let mut inbox = Inbox::new(Role::Daemon);
    inbox.push(&encode(&Message::Hello { version: VERSION + 1 }).unwrap(), []).unwrap();
    assert_eq!(inbox.next_message().err(), Some(DecodeError::Version(VERSION + 1)));

    let mut inbox = Inbox::new(Role::Daemon);
    let hello = encode(&Message::Hello { version: VERSION }).unwrap();
    inbox.push(&hello, []).unwrap();
    assert!(matches!(inbox.next_message(), Ok(Some((Message::Hello { .. }, _)))));
    inbox.push(&hello, []).unwrap();
    assert!(matches!(inbox.next_message(), Err(DecodeError::Malformed(_))), "a second Hello is refused");
}

#[test]
fn the_inbox_gives_each_message_its_own_fds() {
    let transfer = Message::Transfer(Transfer {
        socket: record("s", SocketKind::StreamSocket, b""),
        keep_alive_ms: 0,
        wake: false,
    });
    let mut inbox = Inbox::new(Role::Daemon);
    inbox.push(&encode(&Message::Hello { version: VERSION }).unwrap(), []).unwrap();
    let mut two = encode(&transfer).unwrap();
    two.extend(encode(&transfer).unwrap());
    inbox.push(&two, [dev_null(), dev_null()]).unwrap();
    inbox.push(&encode(&Message::ListSockets).unwrap(), []).unwrap();
    let counts: Vec<usize> =
        std::iter::from_fn(|| inbox.next_message().unwrap()).map(|(_, fds)| fds.len()).collect();
    assert_eq!(counts, vec![0, 1, 1, 0]);

    let mut inbox = Inbox::new(Role::Daemon);
    inbox.push(&encode(&Message::Hello { version: VERSION }).unwrap(), []).unwrap();
    inbox.push(&encode(&transfer).unwrap(), []).unwrap();
    inbox.next_message().unwrap();
    assert_eq!(inbox.next_message().err(), Some(DecodeError::MissingFds { needed: 1, arrived: 0 }));
}

#[test]
fn fds_nobody_asked_for_are_refused() {
    let mut inbox = Inbox::new(Role::Daemon);
    let flood: Vec<OwnedFd> = (0..2 * MAX_FDS_PER_MESSAGE + 1).map(|_| dev_null()).collect();
    assert!(inbox.push(&[], flood).is_err());
}

#[test]
fn the_client_inbox_accepts_a_welcome_or_a_refusal_first() {
    for first in
        [Message::Welcome { version: VERSION }, Message::Failed { hresult: -1, message: "no".into() }]
    {
        let mut inbox = Inbox::new(Role::Client);
        inbox.push(&encode(&first).unwrap(), []).unwrap();
        assert_eq!(inbox.next_message().unwrap().map(|(m, _)| m), Some(first));
    }
    let mut inbox = Inbox::new(Role::Client);
    inbox.push(&encode(&Message::Ok).unwrap(), []).unwrap();
    assert_eq!(inbox.next_message().err(), Some(DecodeError::NotHello));
}
