//! `Windows.Security.Credentials.PasswordCredential`.

use std::sync::{Arc, Mutex};

use crate::error::{Error, Result};

#[derive(Debug, Clone, Default, PartialEq, Eq)]
struct Fields {
    resource: String,
    user_name: String,
    password: String,
}

/// `PasswordCredential`: a resource, a user name and a password. Cloning gives another
/// reference to the same credential (WinRT reference semantics), so a change made after it
/// was given to a control is what the control sends.
#[derive(Clone, Default)]
pub struct PasswordCredential {
    fields: Arc<Mutex<Fields>>,
}

impl std::fmt::Debug for PasswordCredential {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        let fields = self.lock();
        // The password is never printed.
        f.debug_struct("PasswordCredential")
            .field("resource", &fields.resource)
            .field("user_name", &fields.user_name)
            .finish_non_exhaustive()
    }
}

fn non_empty(what: &str, value: &str) -> Result<()> {
    if value.is_empty() { Err(Error::invalid_arg(format!("the {what} must not be empty"))) } else { Ok(()) }
}

impl PasswordCredential {
    /// `PasswordCredential()`: every field empty.
    pub fn new() -> Self {
        Self::default()
    }

    /// `PasswordCredential(String resource, String userName, String password)`.
    ///
    /// # Errors
    /// `E_INVALIDARG` when the user name or password is empty (as Windows).
    pub fn with_fields(resource: &str, user_name: &str, password: &str) -> Result<Self> {
        non_empty("user name", user_name)?;
        non_empty("password", password)?;
        let fields =
            Fields { resource: resource.into(), user_name: user_name.into(), password: password.into() };
        Ok(Self { fields: Arc::new(Mutex::new(fields)) })
    }

    fn lock(&self) -> std::sync::MutexGuard<'_, Fields> {
        self.fields.lock().unwrap_or_else(|e| e.into_inner())
    }

    /// `Resource`.
    pub fn resource(&self) -> String {
        self.lock().resource.clone()
    }

    /// `Resource` setter.
    pub fn set_resource(&self, value: &str) {
        self.lock().resource = value.to_string();
    }

    /// `UserName`.
    pub fn user_name(&self) -> String {
        self.lock().user_name.clone()
    }

    /// `UserName` setter.
    ///
    /// # Errors
    /// `E_INVALIDARG` for an empty name.
    pub fn set_user_name(&self, value: &str) -> Result<()> {
        non_empty("user name", value)?;
        self.lock().user_name = value.to_string();
        Ok(())
    }

    /// `Password`.
    pub fn password(&self) -> String {
        self.lock().password.clone()
    }

    /// `Password` setter.
    ///
    /// # Errors
    /// `E_INVALIDARG` for an empty password.
    pub fn set_password(&self, value: &str) -> Result<()> {
        non_empty("password", value)?;
        self.lock().password = value.to_string();
        Ok(())
    }

    /// `RetrievePassword()`: fills `Password` from the vault on Windows. netrt keeps no vault,
    /// so the password is always present already and this does nothing.
    pub fn retrieve_password(&self) {}

    /// Whether `other` is the same credential object.
    pub fn ptr_eq(&self, other: &PasswordCredential) -> bool {
        Arc::ptr_eq(&self.fields, &other.fields)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::error::hresult::E_INVALIDARG;

    #[test]
    fn fields_and_validation() {
        let c = PasswordCredential::with_fields("ws://h/", "alice", "s3cret").unwrap();
        let same = c.clone();
        same.set_password("other").unwrap();
        assert_eq!(
            (c.resource(), c.user_name(), c.password()),
            ("ws://h/".into(), "alice".into(), "other".into())
        );
        c.retrieve_password();
        assert_eq!(c.password(), "other");
        assert_eq!(c.set_user_name("").unwrap_err().hresult(), E_INVALIDARG);
        assert_eq!(PasswordCredential::with_fields("r", "u", "").unwrap_err().hresult(), E_INVALIDARG);
        assert!(!format!("{c:?}").contains("other"));
        assert_eq!(PasswordCredential::new().user_name(), "");
    }
}
