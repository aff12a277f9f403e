//! `PasswordCredential` (Windows.Security.Credentials).

use netrt::security::PasswordCredential;
use pyo3::prelude::*;
use pyo3::types::PyTuple;

use crate::asyncop::arity_error;
use crate::convert::str_arg;
use crate::errors::OrRaise;

/// `PasswordCredential`: a resource, a user name and a password. The object is shared: a
/// change made after it was given to a control is what that control sends.
#[pyclass(module = "netrt", name = "PasswordCredential", frozen)]
pub struct PyPasswordCredential {
    pub inner: PasswordCredential,
}

/// A `PasswordCredential` object for a core credential (the same credential, not a copy).
pub fn credential_obj(py: Python<'_>, c: Option<PasswordCredential>) -> PyResult<Py<PyAny>> {
    match c {
        Some(inner) => Ok(Py::new(py, PyPasswordCredential { inner })?.into_any()),
        None => Ok(py.None()),
    }
}

#[pymethods]
impl PyPasswordCredential {
    /// `PasswordCredential()` (every field empty) or `PasswordCredential(resource, user_name,
    /// password)` (an empty user name or password is E_INVALIDARG).
    #[new]
    #[pyo3(signature = (*args))]
    fn new(args: &Bound<'_, PyTuple>) -> PyResult<Self> {
        let inner = match args.len() {
            0 => PasswordCredential::new(),
            3 => PasswordCredential::with_fields(
                &str_arg(&args.get_item(0)?, "resource")?,
                &str_arg(&args.get_item(1)?, "user_name")?,
                &str_arg(&args.get_item(2)?, "password")?,
            )
            .or_raise()?,
            _ => {
                return Err(arity_error("PasswordCredential", "() or (resource, user_name, password)", args));
            }
        };
        Ok(Self { inner })
    }

    /// `RetrievePassword()`: netrt keeps no vault, so the password is always there already.
    fn retrieve_password(&self) {
        self.inner.retrieve_password()
    }

    #[getter]
    fn resource(&self) -> String {
        self.inner.resource()
    }
    #[setter]
    fn set_resource(&self, value: &str) {
        self.inner.set_resource(value)
    }
    #[getter]
    fn user_name(&self) -> String {
        self.inner.user_name()
    }
    #[setter]
    fn set_user_name(&self, value: &str) -> PyResult<()> {
        self.inner.set_user_name(value).or_raise()
    }
    #[getter]
    fn password(&self) -> String {
        self.inner.password()
    }
    #[setter]
    fn set_password(&self, value: &str) -> PyResult<()> {
        self.inner.set_password(value).or_raise()
    }

    /// Never shows the password.
    fn __repr__(&self) -> String {
        format!(
            "PasswordCredential(resource={:?}, user_name={:?})",
            self.inner.resource(),
            self.inner.user_name()
        )
    }
}
