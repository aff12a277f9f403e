//! Windows.Security: credentials the web layer sends when a server or proxy asks for them.

pub mod credentials;

pub use credentials::PasswordCredential;
