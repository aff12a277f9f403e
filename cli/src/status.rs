//! `netrt status`: decodes HRESULTs with core's own tables (`SocketError.GetStatus`,
//! `WebError.GetStatus`, the symbolic names and the messages netrt gives every projection).

use netrt::HResult;
use netrt::error::{hresult_message, hresult_name, socket_error_get_status, web_error_get_status};
use serde_json::{Value, json};

use crate::args::StatusArgs;
use crate::failure::Failure;
use crate::output::{DIM, LABEL, json_line};

/// Everything netrt knows about `hr`, as JSON (also the `error` object of failed commands).
pub fn describe(hr: HResult) -> Value {
    let bits = hr as u32;
    let socket = socket_error_get_status(hr);
    let web = web_error_get_status(hr);
    json!({
        "hresult": format!("0x{bits:08X}"),
        "value": hr,
        "name": hresult_name(hr),
        "failure": hr < 0,
        "facility": (bits >> 16) & 0x1FFF,
        "code": bits & 0xFFFF,
        "socket_error_status": { "name": socket.name(), "value": socket as i32 },
        "web_error_status": { "name": web.name(), "value": web as i32 },
        "message": hresult_message(hr),
    })
}

/// Reads an HRESULT as people write it: `0x8007274D`, `-2147014835` or `2147952461`.
pub fn parse_hresult(text: &str) -> Result<HResult, Failure> {
    let trimmed = text.trim();
    let parsed = if let Some(hex) = trimmed.strip_prefix("0x").or_else(|| trimmed.strip_prefix("0X")) {
        u32::from_str_radix(hex, 16).ok().map(|v| v as i32)
    } else if trimmed.starts_with('-') {
        trimmed.parse::<i32>().ok()
    } else {
        trimmed.parse::<u32>().ok().map(|v| v as i32)
    };
    parsed.ok_or_else(|| {
        Failure::Usage(format!(
            "'{text}' is not an HRESULT: write it in hex (0x8007274D) or in decimal (-2147014835 or 2147952461)"
        ))
    })
}

/// Runs `netrt status`: every code is parsed first, so a typo prints nothing else.
pub fn run(args: &StatusArgs) -> Result<(), Failure> {
    let codes = args.codes.iter().map(|c| parse_hresult(c)).collect::<Result<Vec<_>, _>>()?;
    let mut first = true;
    for hr in codes {
        let d = describe(hr);
        if args.output.json {
            json_line(&d);
            continue;
        }
        if !first {
            anstream::println!();
        }
        first = false;
        let name = d["name"].as_str().unwrap_or("(no symbolic name)");
        anstream::println!(
            "{LABEL}{}{LABEL:#}  {name}  {DIM}({hr}){DIM:#}",
            d["hresult"].as_str().unwrap_or_default()
        );
        for (label, key) in
            [("SocketErrorStatus", "socket_error_status"), ("WebErrorStatus", "web_error_status")]
        {
            let status = &d[key];
            anstream::println!(
                "  {label:<18} {} ({})",
                status["name"].as_str().unwrap_or_default(),
                status["value"]
            );
        }
        anstream::println!("  {:<18} {}", "Message", d["message"].as_str().unwrap_or_default());
        anstream::println!("  {:<18} facility {}, code {}", "Parts", d["facility"], d["code"]);
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn hresults_parse_in_every_spelling() {
        assert_eq!(parse_hresult("0x8007274D").unwrap() as u32, 0x8007_274D);
        assert_eq!(parse_hresult("0x8007274d").unwrap() as u32, 0x8007_274D);
        assert_eq!(parse_hresult("-2147014835").unwrap() as u32, 0x8007_274D);
        assert_eq!(parse_hresult("2147952461").unwrap() as u32, 0x8007_274D);
        assert_eq!(parse_hresult("0").unwrap(), 0);
        for bad in ["", "0x", "0x1FFFFFFFF", "4294967296", "-2147483649", "ECONNREFUSED", "12.5"] {
            assert!(matches!(parse_hresult(bad), Err(Failure::Usage(_))), "{bad:?} was accepted");
        }
    }

    #[test]
    fn describe_combines_core_tables() {
        let d = describe(0x8007_274Du32 as i32);
        assert_eq!(d["name"], "WSAECONNREFUSED");
        assert_eq!(d["socket_error_status"]["name"], "ConnectionRefused");
        assert_eq!(d["socket_error_status"]["value"], 12);
        assert_eq!(d["facility"], 7);
        assert_eq!(d["code"], 10061);
        assert_eq!(d["failure"], true);
    }
}
