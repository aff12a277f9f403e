//! What BackgroundDownloader and BackgroundUploader share: request headers, method,
//! credentials, cost policy and group, copied into each operation they create.

use std::sync::{Arc, Mutex, MutexGuard};

use netrt_broker_protocol::protocol::{BodySource, Credential, TransferKind, TransferRequest};

use super::enums::{BackgroundTransferCostPolicy, BackgroundTransferPriority};
use super::types::BackgroundTransferGroup;
use crate::error::{Error, Result};
use crate::foundation::{Guid, Uri};
use crate::security::PasswordCredential;

/// `E_INVALIDARG` unless `name: value` is a valid HTTP header line.
pub(super) fn check_header(name: &str, value: &str) -> Result<()> {
    if hyper::header::HeaderName::from_bytes(name.as_bytes()).is_err() {
        return Err(Error::invalid_arg(format!("\"{name}\" is not a valid HTTP header name")));
    }
    if hyper::header::HeaderValue::from_str(value).is_err() {
        return Err(Error::invalid_arg(format!(
            "the value of header {name} is not a valid HTTP header value"
        )));
    }
    Ok(())
}

/// Adds a header; the same name again (any case) joins the values with ", ", as Windows does.
pub(super) fn add_header(headers: &mut Vec<(String, String)>, name: &str, value: &str) -> Result<()> {
    check_header(name, value)?;
    match headers.iter_mut().find(|(n, _)| n.eq_ignore_ascii_case(name)) {
        Some((_, v)) => {
            v.push_str(", ");
            v.push_str(value);
        }
        None => headers.push((name.to_owned(), value.to_owned())),
    }
    Ok(())
}

fn credential(c: &Option<PasswordCredential>) -> Option<Credential> {
    c.as_ref().map(|c| Credential {
        resource: c.resource(),
        user_name: c.user_name(),
        password: c.password(),
    })
}

#[derive(Debug)]
pub(super) struct Fields {
    pub method: String,
    pub headers: Vec<(String, String)>,
    pub server_credential: Option<PasswordCredential>,
    pub proxy_credential: Option<PasswordCredential>,
    pub cost_policy: BackgroundTransferCostPolicy,
    pub group: Option<BackgroundTransferGroup>,
}

/// The settings of a downloader or uploader (shared by its clones).
#[derive(Debug, Clone)]
pub(super) struct Settings {
    fields: Arc<Mutex<Fields>>,
}

impl Settings {
    pub(super) fn new(method: &str) -> Self {
        Self {
            fields: Arc::new(Mutex::new(Fields {
                method: method.to_owned(),
                headers: Vec::new(),
                server_credential: None,
                proxy_credential: None,
                cost_policy: BackgroundTransferCostPolicy::Default,
                group: None,
            })),
        }
    }

    pub(super) fn lock(&self) -> MutexGuard<'_, Fields> {
        self.fields.lock().unwrap_or_else(|e| e.into_inner())
    }

    pub(super) fn set_method(&self, method: &str) -> Result<()> {
        if method.is_empty() || hyper::Method::from_bytes(method.as_bytes()).is_err() {
            return Err(Error::invalid_arg(format!("\"{method}\" is not a valid HTTP method")));
        }
        self.lock().method = method.to_owned();
        Ok(())
    }

    /// The request the daemon gets for a new operation of this downloader or uploader.
    pub(super) fn request(
        &self,
        kind: TransferKind,
        uri: &Uri,
        path: String,
        body: BodySource,
    ) -> Result<TransferRequest> {
        let scheme = uri.scheme_name().to_ascii_lowercase();
        if scheme != "http" && scheme != "https" {
            return Err(Error::invalid_arg(format!("{uri}: background transfers need an http or https URI")));
        }
        let f = self.lock();
        Ok(TransferRequest {
            guid: Guid::new_random()?.to_bytes_le(),
            kind,
            method: f.method.clone(),
            uri: uri.absolute_uri(),
            headers: f.headers.clone(),
            server_credential: credential(&f.server_credential),
            proxy_credential: credential(&f.proxy_credential),
            body,
            path,
            group: f.group.as_ref().map(|g| g.name()),
            group_behavior: f.group.as_ref().map(|g| g.transfer_behavior() as u8).unwrap_or(0),
            priority: BackgroundTransferPriority::Default as u8,
            cost_policy: f.cost_policy as u8,
            recoverable: Vec::new(),
            random_access_required: false,
        })
    }
}

/// The accessors BackgroundDownloader and BackgroundUploader share (`IBackgroundTransferBase`).
macro_rules! transfer_base {
    ($ty:ident) => {
        impl $ty {
            /// `SetRequestHeader(headerName, headerValue)`: sent with every operation created
            /// afterwards; the same name again joins the values with ", ".
            ///
            /// # Errors
            /// `E_INVALIDARG` for a name or value that is not a valid HTTP header.
            pub fn set_request_header(&self, name: &str, value: &str) -> Result<()> {
                super::settings::add_header(&mut self.settings.lock().headers, name, value)
            }

            /// `Method`.
            pub fn method(&self) -> String {
                self.settings.lock().method.clone()
            }

            /// Sets `Method`.
            ///
            /// # Errors
            /// `E_INVALIDARG` for an empty or malformed method.
            pub fn set_method(&self, method: &str) -> Result<()> {
                self.settings.set_method(method)
            }

            /// `ServerCredential`: answers the server's 401 (Basic or Digest).
            pub fn server_credential(&self) -> Option<PasswordCredential> {
                self.settings.lock().server_credential.clone()
            }

            /// Sets `ServerCredential`. It is stored with the transfer in the daemon's private
            /// state directory (docs/background-transfer.md).
            pub fn set_server_credential(&self, credential: Option<PasswordCredential>) {
                self.settings.lock().server_credential = credential;
            }

            /// `ProxyCredential`: answers the proxy's 407.
            pub fn proxy_credential(&self) -> Option<PasswordCredential> {
                self.settings.lock().proxy_credential.clone()
            }

            /// Sets `ProxyCredential`.
            pub fn set_proxy_credential(&self, credential: Option<PasswordCredential>) {
                self.settings.lock().proxy_credential = credential;
            }

            /// `CostPolicy` (stored and reported; Linux has no metered-network signal).
            pub fn cost_policy(&self) -> BackgroundTransferCostPolicy {
                self.settings.lock().cost_policy
            }

            /// Sets `CostPolicy`.
            pub fn set_cost_policy(&self, policy: BackgroundTransferCostPolicy) {
                self.settings.lock().cost_policy = policy;
            }

            /// `TransferGroup`.
            pub fn transfer_group(&self) -> Option<BackgroundTransferGroup> {
                self.settings.lock().group.clone()
            }

            /// Sets `TransferGroup` for operations created afterwards.
            pub fn set_transfer_group(&self, group: Option<BackgroundTransferGroup>) {
                self.settings.lock().group = group;
            }
        }
    };
}
pub(super) use transfer_base;
