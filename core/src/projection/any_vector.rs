//! The element types netrt exposes as `IVector<T>` / `IVectorView<T>`, as one enum.
//!
//! A projection that erases the element type — a C vector handle, a Python sequence — holds an
//! [`AnyVector`]; the members that do not look at elements (size, read-only, remove, clear) are
//! answered here, and each projection converts elements of the variant it meets. A WinRT
//! class that brings a vector of a new element type adds its variant here once.

use crate::Error;
use crate::error::WebErrorStatus;
use crate::foundation::Vector;
use crate::tls::{Certificate, ChainValidationResult};

/// A core [`Vector`] of one of the element types netrt projects.
#[derive(Clone)]
pub enum AnyVector {
    /// `ChainValidationResult` elements (int32 in C).
    Results(Vector<ChainValidationResult>),
    /// `Certificate` elements.
    Certificates(Vector<Certificate>),
    /// String elements.
    Strings(Vector<String>),
    /// Byte strings (CertificateRevocationLists; Buffer handles in C, `bytes` in Python).
    Bytes(Vector<Vec<u8>>),
    /// `WebErrorStatus` elements (RecoverableWebErrorStatuses; int32 in C).
    WebErrorStatuses(Vector<WebErrorStatus>),
}

/// Runs `$body` with `$v` bound to the typed vector inside `$any` (an `&AnyVector`).
macro_rules! each {
    ($any:expr, $v:ident => $body:expr) => {
        match $any {
            AnyVector::Results($v) => $body,
            AnyVector::Certificates($v) => $body,
            AnyVector::Strings($v) => $body,
            AnyVector::Bytes($v) => $body,
            AnyVector::WebErrorStatuses($v) => $body,
        }
    };
}

impl AnyVector {
    /// `IVector.Size`.
    pub fn size(&self) -> u32 {
        each!(self, v => v.size())
    }

    /// Whether this is a read-only `IVectorView` (a snapshot).
    pub fn is_read_only(&self) -> bool {
        each!(self, v => v.is_read_only())
    }

    /// `self`, or `E_ILLEGAL_METHOD_CALL` for a view — checked before the element type, as
    /// WinRT's IVectorView has no modifying members at all.
    pub fn modifiable(&self) -> Result<&Self, Error> {
        if self.is_read_only() {
            return Err(Error::illegal_method_call("this vector is read-only (an IVectorView)"));
        }
        Ok(self)
    }

    /// `IVector.RemoveAt`.
    pub fn remove_at(&self, index: u32) -> Result<(), Error> {
        each!(self, v => v.remove_at(index))
    }

    /// `IVector.RemoveAtEnd`.
    pub fn remove_at_end(&self) -> Result<(), Error> {
        each!(self, v => v.remove_at_end())
    }

    /// `IVector.Clear`.
    pub fn clear(&self) -> Result<(), Error> {
        each!(self, v => v.clear())
    }
}

macro_rules! from_vector {
    ($($variant:ident($elem:ty)),*) => {$(
        impl From<Vector<$elem>> for AnyVector {
            fn from(v: Vector<$elem>) -> Self {
                Self::$variant(v)
            }
        }
    )*};
}
from_vector!(
    Results(ChainValidationResult),
    Certificates(Certificate),
    Strings(String),
    Bytes(Vec<u8>),
    WebErrorStatuses(WebErrorStatus)
);
