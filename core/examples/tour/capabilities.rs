//! Tour step 6: an app manifest denies what it does not declare. A manifest is per process and
//! cannot be unloaded, so the tour runs this step in a child process (itself, re-executed with
//! `NETRT_MANIFEST` set) and the rest of the tour stays unrestricted.

use std::process::Command;

use netrt::capability::AppManifest;
use netrt::net::StreamSocketListener;
use netrt::{HostName, StreamSocket};

/// Set in the child's environment.
pub const CHILD_ENV: &str = "NETRT_TOUR_CAPABILITY_CHILD";

const MANIFEST: &str = r#"<?xml version="1.0" encoding="utf-8"?>
<Package xmlns="http://schemas.microsoft.com/appx/manifest/foundation/windows10">
  <Capabilities>
    <Capability Name="internetClient" />
  </Capabilities>
</Package>
"#;

/// The parent's half: writes the manifest, runs the child, shows what it printed.
pub fn tour() -> Result<(), Box<dyn std::error::Error + Send + Sync>> {
    println!("[6] app capabilities (in a child process with an app manifest)");
    let dir = std::env::temp_dir().join(format!("netrt-tour-{}", std::process::id()));
    std::fs::create_dir_all(&dir)?;
    let path = dir.join("Package.appxmanifest");
    std::fs::write(&path, MANIFEST)?;
    let out =
        Command::new(std::env::current_exe()?).env(CHILD_ENV, "1").env("NETRT_MANIFEST", &path).output();
    let _ = std::fs::remove_dir_all(&dir);
    let out = out?;
    print!("{}", String::from_utf8_lossy(&out.stdout));
    if !out.status.success() {
        return Err(format!("the capability child failed: {}", String::from_utf8_lossy(&out.stderr)).into());
    }
    Ok(())
}

/// The child's half: only `internetClient` is declared, and no loopback exemption.
pub async fn child() -> Result<(), Box<dyn std::error::Error + Send + Sync>> {
    let manifest = AppManifest::current()?.ok_or("NETRT_MANIFEST was not loaded")?;
    println!("    manifest declares: {}", manifest.capabilities().join(", "));
    match StreamSocket::new().connect(&HostName::new("localhost")?, "80").await {
        Ok(()) => return Err("connected to localhost without the loopback exemption".into()),
        Err(e) => {
            println!(
                "    ConnectAsync(localhost) -> HRESULT 0x{:08X} ({})",
                e.hresult() as u32,
                e.socket_error_status()
            );
            println!("    detail: {}", e.message());
        }
    }
    match StreamSocketListener::new().bind_service_name("").await {
        Ok(()) => return Err("listened with only internetClient".into()),
        Err(e) => println!(
            "    BindServiceNameAsync(\"\") -> HRESULT 0x{:08X}: {}",
            e.hresult() as u32,
            e.message()
        ),
    }
    Ok(())
}
