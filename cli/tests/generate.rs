//! Completions and the man page come from the clap definitions that parse the command line.

mod support;

use support::run;

#[test]
fn completions_know_every_command_and_option() {
    let bash = run(&["completions", "bash"], "");
    assert_eq!(bash.status, 0, "{bash:?}");
    for word in ["connect", "listen", "ws", "status", "--starttls", "--ignore", "untrusted", "smtp"] {
        assert!(bash.stdout.contains(word), "{word} missing from the bash completion");
    }
    let zsh = run(&["completions", "zsh"], "");
    assert!(zsh.stdout.starts_with("#compdef netrt"), "{}", &zsh.stdout[..zsh.stdout.len().min(80)]);
    let fish = run(&["completions", "fish"], "");
    assert!(fish.stdout.contains("complete -c netrt"), "fish");
    assert_eq!(run(&["completions", "tcsh"], "").status, 2, "an unknown shell is a usage error");
}

#[test]
fn man_pages_document_commands_options_and_exit_codes() {
    let page = run(&["man"], "");
    assert_eq!(page.status, 0, "{page:?}");
    assert!(page.stdout.contains(".TH netrt 1"), "{}", &page.stdout[..page.stdout.len().min(200)]);
    assert!(page.stdout.contains("Exit status"), "the exit codes are in the page");

    let dir = std::env::temp_dir().join(format!("netrt-man-{}", std::process::id()));
    let written = run(&["man", "--dir", dir.to_str().unwrap()], "");
    assert_eq!(written.status, 0, "{written:?}");
    for name in ["netrt", "netrt-connect", "netrt-listen", "netrt-ws", "netrt-status"] {
        let text = std::fs::read_to_string(dir.join(format!("{name}.1")))
            .unwrap_or_else(|e| panic!("{name}.1: {e}"));
        assert!(text.contains(&format!(".TH {name} 1")), "{name}.1 has no title");
    }
    let connect = std::fs::read_to_string(dir.join("netrt-connect.1")).unwrap();
    assert!(connect.contains("starttls") && connect.contains("smtp"), "connect's page lists its options");
    std::fs::remove_dir_all(&dir).unwrap();
}

#[test]
fn install_script_puts_binary_man_pages_and_completions_in_place() {
    let dest = std::env::temp_dir().join(format!("netrt-install-{}", std::process::id()));
    let bin_dir = std::path::Path::new(env!("CARGO_BIN_EXE_netrt")).parent().unwrap();
    let script = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("install.sh");
    let out = std::process::Command::new(script).arg(&dest).arg(bin_dir).output().expect("cli/install.sh");
    assert!(out.status.success(), "{out:?}");
    for file in [
        "bin/netrt",
        "share/man/man1/netrt.1",
        "share/man/man1/netrt-connect.1",
        "share/bash-completion/completions/netrt",
        "share/zsh/site-functions/_netrt",
        "share/fish/vendor_completions.d/netrt.fish",
    ] {
        let path = dest.join(file);
        assert!(path.metadata().is_ok_and(|m| m.len() > 0), "{file} missing or empty");
    }
    let installed =
        std::process::Command::new(dest.join("bin/netrt")).args(["status", "0x80040202"]).output().unwrap();
    assert!(String::from_utf8_lossy(&installed.stdout).contains("NETRT_E_TLS_TRUNCATED"), "{installed:?}");
    std::fs::remove_dir_all(&dest).unwrap();
}
