//! The daemon inside the wheel: `python -m netrt._brokerd` runs netrt-brokerd from this
//! extension module, so a `pip install netrt` is enough for the socket broker and background
//! transfers (no separate binary to install or find). At import, core learns to start the
//! daemon that way when an app needs it and none runs (unless `$NETRT_BROKERD` names one).

use std::ffi::OsString;
use std::path::PathBuf;

use pyo3::prelude::*;

/// Runs netrt-brokerd's command line (`argv` without the program name) in this process until
/// it ends, with the GIL released; returns the exit status.
#[pyfunction]
fn _run_brokerd(py: Python<'_>, argv: Vec<String>) -> u8 {
    py.detach(|| netrt_broker::command_line::main(argv))
}

pub fn register(m: &Bound<'_, PyModule>) -> PyResult<()> {
    m.add_function(wrap_pyfunction!(_run_brokerd, m)?)?;
    let sys = m.py().import("sys")?;
    let executable: Option<String> = sys.getattr("executable")?.extract()?;
    if let Some(python) = executable.filter(|p| !p.is_empty()) {
        let args = ["-m", "netrt._brokerd"].map(OsString::from).to_vec();
        netrt::broker::set_daemon_command(PathBuf::from(python), args);
    }
    Ok(())
}
