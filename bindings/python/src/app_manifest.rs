//! `AppManifest` (netrt): the process's app manifest (docs/capabilities.md). Static methods
//! only: a process has at most one.

use std::path::PathBuf;

use netrt::capability::{self, AppManifest};
use netrt::error::hresult::E_ILLEGAL_METHOD_CALL;
use pyo3::prelude::*;

use crate::errors::{OrRaise, raise};

fn loaded() -> PyResult<std::sync::Arc<AppManifest>> {
    AppManifest::current()
        .or_raise()?
        .ok_or_else(|| raise(E_ILLEGAL_METHOD_CALL, "no app manifest is loaded in this process"))
}

/// netrt `AppManifest`: load one with `AppManifest.load(path)` (or `NETRT_MANIFEST`); it is then
/// locked, and every network operation of the process is checked against it.
#[pyclass(module = "netrt", name = "AppManifest", frozen)]
pub struct PyAppManifest;

#[pymethods]
impl PyAppManifest {
    /// Loads and locks the manifest at `path` (`str` or path-like). Raises `ValueError`
    /// (`InvalidArgumentError`) for a malformed manifest, naming the line; `NetworkError`
    /// with `E_ILLEGAL_METHOD_CALL` when one is already loaded.
    #[staticmethod]
    #[pyo3(signature = (path, /))]
    fn load(py: Python<'_>, path: PathBuf) -> PyResult<()> {
        py.detach(|| AppManifest::load(&path).map(|_| ())).or_raise()
    }

    /// Whether a manifest is loaded.
    #[staticmethod]
    fn is_loaded(py: Python<'_>) -> PyResult<bool> {
        py.detach(|| AppManifest::current().map(|m| m.is_some())).or_raise()
    }

    /// The path the loaded manifest was read from.
    #[staticmethod]
    fn source() -> PyResult<String> {
        Ok(loaded()?.source().to_owned())
    }

    /// The declared capability names, in document order.
    #[staticmethod]
    fn capabilities() -> PyResult<Vec<String>> {
        Ok(loaded()?.capabilities())
    }

    /// Whether capability `name` is declared (case-sensitive, as in manifests).
    #[staticmethod]
    #[pyo3(signature = (name, /))]
    fn has_capability(name: &str) -> PyResult<bool> {
        Ok(loaded()?.has_capability(name))
    }

    /// Raises the denial `direction` (a `NetworkDirection`) traffic with `address` (an IP
    /// literal) and `port` would get: `PermissionError` with HRESULT 0x8007271D for outbound,
    /// E_ACCESSDENIED for listen and inbound. Returns None when it would be allowed.
    #[staticmethod]
    #[pyo3(signature = (direction, address, port, /))]
    fn check_access(direction: i32, address: &str, port: u16) -> PyResult<()> {
        capability::check_address(direction, address, port).or_raise()
    }

    /// Accepted connections dropped because their peer was not allowed.
    #[staticmethod]
    fn dropped_connections() -> u64 {
        capability::dropped_traffic().connections
    }

    /// Received datagrams dropped because their sender was not allowed.
    #[staticmethod]
    fn dropped_datagrams() -> u64 {
        capability::dropped_traffic().datagrams
    }
}
