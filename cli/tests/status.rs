//! `netrt status` over the whole reference table: every HRESULT that a SocketErrorStatus or
//! WebErrorStatus member stands for, decoded by the binary and read back from its JSON.

mod support;

use serde_json::Value;
use support::run;

/// (HRESULT, symbolic name, SocketErrorStatus member, value): every row of the reference table
/// (Winsock, Win32 and certificate errors → SocketErrorStatus).
const SOCKET_ROWS: &[(u32, &str, &str, i64)] = &[
    (0x8000_4005, "E_FAIL", "Unknown", 0),
    (0x8007_03E3, "ERROR_OPERATION_ABORTED", "OperationAborted", 1),
    (0x8007_2F78, "WININET_E_INVALID_SERVER_RESPONSE", "HttpInvalidServerResponse", 2),
    (0x8007_274C, "WSAETIMEDOUT", "ConnectionTimedOut", 3),
    (0x8007_273F, "WSAEAFNOSUPPORT", "AddressFamilyNotSupported", 4),
    (0x8007_273C, "WSAESOCKTNOSUPPORT", "SocketTypeNotSupported", 5),
    (0x8007_2AF9, "WSAHOST_NOT_FOUND", "HostNotFound", 6),
    (0x8007_2AFC, "WSANO_DATA", "NoDataRecordOfRequestedType", 7),
    (0x8007_2AFA, "WSATRY_AGAIN", "NonAuthoritativeHostNotFound", 8),
    (0x8007_277D, "WSATYPE_NOT_FOUND", "ClassTypeNotFound", 9),
    (0x8007_2740, "WSAEADDRINUSE", "AddressAlreadyInUse", 10),
    (0x8007_2741, "WSAEADDRNOTAVAIL", "CannotAssignRequestedAddress", 11),
    (0x8007_274D, "WSAECONNREFUSED", "ConnectionRefused", 12),
    (0x8007_2743, "WSAENETUNREACH", "NetworkIsUnreachable", 13),
    (0x8007_2751, "WSAEHOSTUNREACH", "UnreachableHost", 14),
    (0x8007_2742, "WSAENETDOWN", "NetworkIsDown", 15),
    (0x8007_2744, "WSAENETRESET", "NetworkDroppedConnectionOnReset", 16),
    (0x8007_2745, "WSAECONNABORTED", "SoftwareCausedConnectionAbort", 17),
    (0x8007_2746, "WSAECONNRESET", "ConnectionResetByPeer", 18),
    (0x8007_2750, "WSAEHOSTDOWN", "HostIsDown", 19),
    (0x8007_00E8, "ERROR_NO_DATA", "NoAddressesFound", 20),
    (0x8007_2728, "WSAEMFILE", "TooManyOpenFiles", 21),
    (0x8007_2738, "WSAEMSGSIZE", "MessageTooLong", 22),
    (0x800B_0101, "CERT_E_EXPIRED", "CertificateExpired", 23),
    (0x800B_0102, "CERT_E_VALIDITYPERIODNESTING", "CertificateExpired", 23),
    (0x800B_0109, "CERT_E_UNTRUSTEDROOT", "CertificateUntrustedRoot", 24),
    (0x800B_010A, "CERT_E_CHAINING", "CertificateUntrustedRoot", 24),
    (0x800B_010F, "CERT_E_CN_NO_MATCH", "CertificateCommonNameIsIncorrect", 25),
    (0x800B_0114, "CERT_E_INVALID_NAME", "CertificateCommonNameIsIncorrect", 25),
    (0x800B_0110, "CERT_E_WRONG_USAGE", "CertificateWrongUsage", 26),
    (0x800B_010C, "CERT_E_REVOKED", "CertificateRevoked", 27),
    (0x800B_0111, "TRUST_E_EXPLICIT_DISTRUST", "CertificateRevoked", 27),
    (0x8009_2010, "CRYPT_E_REVOKED", "CertificateRevoked", 27),
    (0x8009_2012, "CRYPT_E_NO_REVOCATION_CHECK", "CertificateNoRevocationCheck", 28),
    (0x8009_2013, "CRYPT_E_REVOCATION_OFFLINE", "CertificateRevocationServerOffline", 29),
    (0x800B_0103, "CERT_E_ROLE", "CertificateIsInvalid", 30),
    (0x800B_0104, "CERT_E_PATHLENCONST", "CertificateIsInvalid", 30),
    (0x800B_0105, "CERT_E_CRITICAL", "CertificateIsInvalid", 30),
    (0x800B_0106, "CERT_E_PURPOSE", "CertificateIsInvalid", 30),
    (0x800B_0107, "CERT_E_ISSUERCHAINING", "CertificateIsInvalid", 30),
    (0x800B_0108, "CERT_E_MALFORMED", "CertificateIsInvalid", 30),
    (0x8009_6004, "TRUST_E_CERT_SIGNATURE", "CertificateIsInvalid", 30),
    (0x800B_0113, "CERT_E_INVALID_POLICY", "CertificateIsInvalid", 30),
    (0x8009_6019, "TRUST_E_BASIC_CONSTRAINTS", "CertificateIsInvalid", 30),
];

/// (HRESULT, WebErrorStatus member, value): the WinINet rows of the reference table.
const WEB_ROWS: &[(u32, &str, i64)] = &[
    (0x8007_2F06, "CertificateCommonNameIsIncorrect", 1),
    (0x8007_2F05, "CertificateExpired", 2),
    (0x8007_2F17, "CertificateContainsErrors", 3),
    (0x8007_2F8A, "CertificateRevoked", 4),
    (0x8007_2F89, "CertificateIsInvalid", 5),
    (0x8007_2F84, "ServerUnreachable", 6),
    (0x8007_2EE2, "Timeout", 7),
    (0x8007_2F78, "ErrorHttpInvalidServerResponse", 8),
    (0x8007_2EFE, "ConnectionAborted", 9),
    (0x8007_2EFF, "ConnectionReset", 10),
    (0x8007_2F83, "Disconnected", 11),
    (0x8007_2F07, "HttpToHttpsOnRedirection", 12),
    (0x8007_2F08, "HttpsToHttpOnRedirection", 13),
    (0x8007_2EFD, "CannotConnect", 14),
    (0x8007_2EE7, "HostNameNotResolved", 15),
    (0x8007_2EF1, "OperationCanceled", 16),
    (0x8007_2F7C, "RedirectFailed", 17),
];

/// The HTTP members of WebErrorStatus: their value is the status code, their HRESULT
/// `0x80190000 | code`.
const HTTP_MEMBERS: &[(u16, &str)] = &[
    (300, "MultipleChoices"),
    (301, "MovedPermanently"),
    (302, "Found"),
    (303, "SeeOther"),
    (304, "NotModified"),
    (305, "UseProxy"),
    (307, "TemporaryRedirect"),
    (400, "BadRequest"),
    (401, "Unauthorized"),
    (402, "PaymentRequired"),
    (403, "Forbidden"),
    (404, "NotFound"),
    (405, "MethodNotAllowed"),
    (406, "NotAcceptable"),
    (407, "ProxyAuthenticationRequired"),
    (408, "RequestTimeout"),
    (409, "Conflict"),
    (410, "Gone"),
    (411, "LengthRequired"),
    (412, "PreconditionFailed"),
    (413, "RequestEntityTooLarge"),
    (414, "RequestUriTooLong"),
    (415, "UnsupportedMediaType"),
    (416, "RequestedRangeNotSatisfiable"),
    (417, "ExpectationFailed"),
    (500, "InternalServerError"),
    (501, "NotImplemented"),
    (502, "BadGateway"),
    (503, "ServiceUnavailable"),
    (504, "GatewayTimeout"),
    (505, "HttpVersionNotSupported"),
];

/// `netrt status --json` for every code in one run, one object per code, in order.
fn decode_all(codes: &[u32]) -> Vec<Value> {
    let args: Vec<String> = codes.iter().map(|c| format!("0x{c:08X}")).collect();
    let mut argv = vec!["status", "--json"];
    argv.extend(args.iter().map(String::as_str));
    let out = run(&argv, "");
    assert_eq!(out.status, 0, "{out:?}");
    let decoded = out.json();
    assert_eq!(decoded.len(), codes.len(), "{out:?}");
    decoded
}

#[test]
fn every_socket_error_status_row_decodes() {
    let decoded = decode_all(&SOCKET_ROWS.iter().map(|r| r.0).collect::<Vec<_>>());
    for ((hr, name, member, value), d) in SOCKET_ROWS.iter().zip(&decoded) {
        assert_eq!(d["hresult"], format!("0x{hr:08X}"));
        assert_eq!(d["value"], *hr as i32, "0x{hr:08X}");
        assert_eq!(d["name"], *name, "0x{hr:08X}");
        assert_eq!(d["socket_error_status"]["name"], *member, "0x{hr:08X}");
        assert_eq!(d["socket_error_status"]["value"], *value, "0x{hr:08X}");
        assert!(!d["message"].as_str().unwrap().is_empty(), "0x{hr:08X} has no message");
    }
}

#[test]
fn every_web_error_status_row_decodes() {
    let mut rows: Vec<(u32, String, i64)> =
        WEB_ROWS.iter().map(|(h, m, v)| (*h, (*m).to_owned(), *v)).collect();
    rows.extend(
        HTTP_MEMBERS
            .iter()
            .map(|(code, m)| (0x8019_0000 | u32::from(*code), (*m).to_owned(), i64::from(*code))),
    );
    let decoded = decode_all(&rows.iter().map(|r| r.0).collect::<Vec<_>>());
    for ((hr, member, value), d) in rows.iter().zip(&decoded) {
        assert_eq!(d["web_error_status"]["name"], member.as_str(), "0x{hr:08X}");
        assert_eq!(d["web_error_status"]["value"], *value, "0x{hr:08X}");
    }
    let not_found = &decoded[WEB_ROWS.len() + 11];
    assert_eq!(not_found["message"], "HTTP status 404 (Not Found)");
}

#[test]
fn decimal_and_negative_spellings_name_the_same_hresult() {
    let out = run(&["status", "--json", "-2147014835", "2147952461", "0x8007274d"], "");
    assert_eq!(out.status, 0, "{out:?}");
    for d in out.json() {
        assert_eq!(d["hresult"], "0x8007274D");
        assert_eq!(d["socket_error_status"]["name"], "ConnectionRefused");
    }
}

#[test]
fn human_output_shows_name_statuses_and_message() {
    let out = run(&["status", "0x8007274D"], "");
    assert_eq!(out.status, 0, "{out:?}");
    assert!(out.stdout.starts_with("0x8007274D  WSAECONNREFUSED  (-2147014835)"), "{}", out.stdout);
    assert!(out.stdout.contains("SocketErrorStatus  ConnectionRefused (12)"), "{}", out.stdout);
    assert!(out.stdout.contains("WebErrorStatus     CannotConnect (14)"), "{}", out.stdout);
    assert!(out.stdout.contains("actively refused"), "{}", out.stdout);
    assert!(!out.stdout.contains('\x1b'), "colour on a pipe: {:?}", out.stdout);
}

#[test]
fn a_value_that_is_not_an_hresult_is_a_usage_error() {
    for bad in ["ECONNREFUSED", "0x1FFFFFFFF", "-2147483649"] {
        let out = run(&["status", bad], "");
        assert_eq!(out.status, 2, "{bad}: {out:?}");
        assert!(out.stderr.contains(&format!("'{bad}' is not an HRESULT")), "{}", out.stderr);
        assert!(out.stdout.is_empty());
    }
    let json = run(&["status", "--json", "0x8007274D", "nope"], "");
    assert_eq!(json.status, 2);
    let error = json.event("error");
    assert_eq!(error["error"]["kind"], "usage");
    assert_eq!(json.json().len(), 1, "nothing is decoded when one code is wrong: {json:?}");
}

#[test]
fn jq_reads_the_json() {
    let jq = std::process::Command::new("jq").arg("--version").output();
    assert!(jq.is_ok_and(|o| o.status.success()), "jq is missing: run tests/install-deps.sh");
    let shell = format!(
        "'{}' status --json 0x800B0109 | jq -r '.name + \" \" + .socket_error_status.name + \" \" + (.socket_error_status.value|tostring)'",
        env!("CARGO_BIN_EXE_netrt")
    );
    let out = std::process::Command::new("sh").args(["-c", &shell]).output().expect("sh");
    assert!(out.status.success(), "{out:?}");
    assert_eq!(
        String::from_utf8_lossy(&out.stdout).trim(),
        "CERT_E_UNTRUSTEDROOT CertificateUntrustedRoot 24"
    );
}

#[test]
fn colour_only_on_a_terminal_and_never_with_no_color() {
    // `script` runs netrt on a pseudo-terminal (util-linux, part of every Debian system).
    let on_tty = |no_color: bool| {
        let mut cmd = std::process::Command::new("script");
        cmd.args([
            "-q",
            "-e",
            "-c",
            &format!("'{}' status 0x8007274D", env!("CARGO_BIN_EXE_netrt")),
            "/dev/null",
        ]);
        cmd.env_remove("NO_COLOR").env_remove("CLICOLOR_FORCE").env("TERM", "xterm");
        if no_color {
            cmd.env("NO_COLOR", "1");
        }
        let out = cmd.output().expect("script (util-linux)");
        assert!(out.status.success(), "{out:?}");
        String::from_utf8_lossy(&out.stdout).into_owned()
    };
    let coloured = on_tty(false);
    assert!(coloured.contains("\x1b[1m0x8007274D\x1b[0m"), "{coloured:?}");
    let plain = on_tty(true);
    assert!(plain.contains("0x8007274D  WSAECONNREFUSED") && !plain.contains('\x1b'), "{plain:?}");
}
