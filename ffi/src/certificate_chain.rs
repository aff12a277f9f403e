//! `Certificate.BuildChainAsync`, `CertificateChain`, `ChainValidationParameters` and
//! `Certificate.SubjectAlternativeName` (`SubjectAlternativeNameInfo`) as handle kinds.
//!
//! All of them are immutable or internally locked: every handle may be used from any thread.

use std::sync::{Arc, Mutex};

use netrt_core::Error;
use netrt_core::tls::{
    Certificate, CertificateChainPolicy, ChainValidationParameters, SubjectAlternativeNameInfo,
    SubjectAlternativeNameKind as Kind,
};

use crate::async_op::{self, OpResult};
use crate::boundary::{Out, netrt_handle, netrt_hresult};
use crate::enums::{netrt_certificate_chain_policy, netrt_chain_validation_result};
use crate::handle;
use crate::host_name::{host_opt, issue_opt};
use crate::object::{Object, Value, get, with_value};
use crate::vector::{VectorObject, issue as issue_vector};
use netrt_core::foundation::Vector;

fn lock<T>(m: &Mutex<T>) -> std::sync::MutexGuard<'_, T> {
    m.lock().unwrap_or_else(|e| e.into_inner())
}

/// `Certificate.BuildChainAsync(certificates)`: an operation whose result
/// (`netrt_async_get_results_handle`) is a new `CertificateChain` handle: this certificate and
/// the issuers found for it among `certificates`, its own intermediates and the system trust
/// store, leaf first (see `CertificateChain`). A missing issuer is not an error: the chain then
/// ends early and `netrt_certificate_chain_validate` reports it.
///
/// `certificates`/`count`: Certificate handles (borrowed for the call; NULL only with count
/// 0). `*out_op` (not NULL) receives the operation. The work needs no network and is done
/// before the function returns (the operation is already Completed). The
/// `ChainBuildingParameters` overload is not provided. Errors (synchronous): `E_POINTER`,
/// handle checks on every element. Thread-safe.
#[unsafe(no_mangle)]
pub extern "C" fn netrt_certificate_build_chain_async(
    certificate: netrt_handle,
    certificates: *const netrt_handle,
    count: usize,
    out_op: *mut netrt_handle,
) -> netrt_hresult {
    ffi!("netrt_certificate_build_chain_async", {
        let out = Out::new(out_op, "out_op")?;
        let cert = get!(certificate, Certificate);
        let pool = certificates_in(certificates, count)?;
        out.write(async_op::start(async move {
            let chain = cert.build_chain(&pool).await?;
            Ok(OpResult::Object(Object::new(Value::CertificateChain(Arc::new(chain)))))
        })?);
        Ok(())
    })
}

/// `Certificate.BuildChainAsync(certificates, parameters)`: as
/// `netrt_certificate_build_chain_async`, with a ChainBuildingParameters handle (copied when
/// the call is made): `ExclusiveTrustRoots` (when not empty) replace the system trust store,
/// `EnhancedKeyUsages` must be allowed by every certificate below the root, dates are checked
/// at `ValidationTimestamp` when `CurrentTimeValidationEnabled` is false, and
/// `RevocationCheckEnabled` makes `netrt_certificate_chain_validate` report
/// `REVOCATION_INFORMATION_MISSING` (netrt has no revocation source for a built chain).
/// `NetworkRetrievalEnabled` and `AuthorityInformationAccessEnabled` change nothing: netrt never
/// fetches. Errors: as `netrt_certificate_build_chain_async`, and the operation ends with
/// `E_INVALIDARG` when an exclusive root cannot be a trust anchor.
#[unsafe(no_mangle)]
pub extern "C" fn netrt_certificate_build_chain_with_parameters_async(
    certificate: netrt_handle,
    certificates: *const netrt_handle,
    count: usize,
    parameters: netrt_handle,
    out_op: *mut netrt_handle,
) -> netrt_hresult {
    ffi!("netrt_certificate_build_chain_with_parameters_async", {
        let out = Out::new(out_op, "out_op")?;
        let cert = get!(certificate, Certificate);
        let pool = certificates_in(certificates, count)?;
        // A copy now: later changes to the parameters do not reach this operation.
        let params = get!(parameters, ChainBuildingParameters).detached();
        out.write(async_op::start(async move {
            let chain = cert.build_chain_with_parameters(&pool, &params).await?;
            Ok(OpResult::Object(Object::new(Value::CertificateChain(Arc::new(chain)))))
        })?);
        Ok(())
    })
}

/// The Certificate handles of a caller's `(const netrt_handle *, size_t)`.
fn certificates_in(ptr: *const netrt_handle, count: usize) -> Result<Vec<Certificate>, Error> {
    handles_in(ptr, count)?.iter().map(|h| Ok(get!(*h, Certificate))).collect()
}

/// A caller's `(const netrt_handle *, size_t)`; NULL only with count 0.
fn handles_in<'a>(ptr: *const netrt_handle, count: usize) -> Result<&'a [netrt_handle], Error> {
    if count == 0 {
        return Ok(&[]);
    }
    if ptr.is_null() {
        return Err(crate::boundary::null("certificates"));
    }
    // SAFETY: the C caller promises `count` readable handles at `ptr`.
    Ok(unsafe { std::slice::from_raw_parts(ptr, count) })
}

/// `CertificateChain.GetCertificates(includeRoot)`: a new read-only vector of Certificate
/// handles (`netrt_vector_get_at_handle`), leaf first; the root (the self-issued top
/// certificate, when the chain reached one) only when `include_root`. `*out` not NULL.
#[unsafe(no_mangle)]
pub extern "C" fn netrt_certificate_chain_get_certificates(
    chain: netrt_handle,
    include_root: bool,
    out: *mut netrt_handle,
) -> netrt_hresult {
    ffi!("netrt_certificate_chain_get_certificates", {
        let out = Out::new(out, "out")?;
        let certs = get!(chain, CertificateChain).certificates(include_root);
        out.write(issue_vector(VectorObject::Certificates(Vector::view(certs)))?);
        Ok(())
    })
}

/// `CertificateChain.Validate()`: the base policy (a path to the system trust store, signatures,
/// dates, constraints; no usage or name check) into `*out_result` (not NULL): the most
/// important problem found, or `NETRT_CHAIN_VALIDATION_RESULT_SUCCESS`. Revocation is not
/// checked. Errors: handle checks, `E_POINTER`.
#[unsafe(no_mangle)]
pub extern "C" fn netrt_certificate_chain_validate(
    chain: netrt_handle,
    out_result: *mut netrt_chain_validation_result,
) -> netrt_hresult {
    ffi!("netrt_certificate_chain_validate", {
        let out = Out::new(out_result, "out_result")?;
        out.write(get!(chain, CertificateChain).validate().into());
        Ok(())
    })
}

/// `CertificateChain.Validate(parameter)` (ABI name ValidateWithParameters): as
/// `netrt_certificate_chain_validate` with the policy of `parameters` (a ChainValidationParameters
/// handle): `SSL` also checks the serverAuth usage and, when set, the server name. Errors:
/// `E_NOTIMPL` (0x80004001) for `NT_AUTHENTICATION` and `MICROSOFT_ROOT` (Windows-only
/// policies); handle checks, `E_POINTER`.
#[unsafe(no_mangle)]
pub extern "C" fn netrt_certificate_chain_validate_with_parameters(
    chain: netrt_handle,
    parameters: netrt_handle,
    out_result: *mut netrt_chain_validation_result,
) -> netrt_hresult {
    ffi!("netrt_certificate_chain_validate_with_parameters", {
        let out = Out::new(out_result, "out_result")?;
        let chain = get!(chain, CertificateChain);
        let params = with_value!(parameters, ChainValidationParameters, |p| lock(p).clone());
        out.write(chain.validate_with_parameters(&params)?.into());
        Ok(())
    })
}

/// `ChainValidationParameters()`: policy `BASE`, no server name. `*out` (not NULL) receives a
/// new reference.
#[unsafe(no_mangle)]
pub extern "C" fn netrt_chain_validation_parameters_create(out: *mut netrt_handle) -> netrt_hresult {
    ffi!("netrt_chain_validation_parameters_create", {
        let out = Out::new(out, "out")?;
        let params = Arc::new(Mutex::new(ChainValidationParameters::default()));
        out.write(handle::issue_new(Value::ChainValidationParameters(params))?);
        Ok(())
    })
}

/// `ChainValidationParameters.CertificateChainPolicy` (get). `out_value` not NULL.
#[unsafe(no_mangle)]
pub extern "C" fn netrt_chain_validation_parameters_get_certificate_chain_policy(
    parameters: netrt_handle,
    out_value: *mut netrt_certificate_chain_policy,
) -> netrt_hresult {
    ffi!("netrt_chain_validation_parameters_get_certificate_chain_policy", {
        let out = Out::new(out_value, "out_value")?;
        let policy = with_value!(parameters, ChainValidationParameters, |p| lock(p).certificate_chain_policy);
        out.write(match policy {
            CertificateChainPolicy::Base => netrt_certificate_chain_policy::Base,
            CertificateChainPolicy::Ssl => netrt_certificate_chain_policy::Ssl,
            CertificateChainPolicy::NtAuthentication => netrt_certificate_chain_policy::NtAuthentication,
            CertificateChainPolicy::MicrosoftRoot => netrt_certificate_chain_policy::MicrosoftRoot,
        });
        Ok(())
    })
}

/// `ChainValidationParameters.CertificateChainPolicy` (set): a `netrt_certificate_chain_policy`
/// value; others are `E_INVALIDARG`.
#[unsafe(no_mangle)]
pub extern "C" fn netrt_chain_validation_parameters_set_certificate_chain_policy(
    parameters: netrt_handle,
    value: i32,
) -> netrt_hresult {
    ffi!("netrt_chain_validation_parameters_set_certificate_chain_policy", {
        let params = get!(parameters, ChainValidationParameters);
        let policy = CertificateChainPolicy::from_i32(value)
            .ok_or_else(|| Error::invalid_arg(format!("{value} is not a CertificateChainPolicy")))?;
        lock(&params).certificate_chain_policy = policy;
        Ok(())
    })
}

/// `ChainValidationParameters.ServerDnsName` (get): a new HostName reference, or 0 when unset.
/// `*out` not NULL.
#[unsafe(no_mangle)]
pub extern "C" fn netrt_chain_validation_parameters_get_server_dns_name(
    parameters: netrt_handle,
    out: *mut netrt_handle,
) -> netrt_hresult {
    ffi!("netrt_chain_validation_parameters_get_server_dns_name", {
        let out = Out::new(out, "out")?;
        let name = with_value!(parameters, ChainValidationParameters, |p| lock(p).server_dns_name.clone());
        out.write(issue_opt(name)?);
        Ok(())
    })
}

/// `ChainValidationParameters.ServerDnsName` (set): a HostName handle (copied), or 0 to unset.
#[unsafe(no_mangle)]
pub extern "C" fn netrt_chain_validation_parameters_set_server_dns_name(
    parameters: netrt_handle,
    host_name: netrt_handle,
) -> netrt_hresult {
    ffi!("netrt_chain_validation_parameters_set_server_dns_name", {
        let params = get!(parameters, ChainValidationParameters);
        let host = host_opt(host_name)?;
        lock(&params).server_dns_name = host;
        Ok(())
    })
}

/// `Certificate.SubjectAlternativeName`: a new `SubjectAlternativeNameInfo` handle with the
/// certificate's subjectAltName entries by kind (a copy: changes made through its plural
/// vectors never change the certificate). `*out` not NULL.
#[unsafe(no_mangle)]
pub extern "C" fn netrt_certificate_get_subject_alternative_name(
    certificate: netrt_handle,
    out: *mut netrt_handle,
) -> netrt_hresult {
    ffi!("netrt_certificate_get_subject_alternative_name", {
        let out = Out::new(out, "out")?;
        let san = get!(certificate, Certificate).subject_alternative_name().clone();
        out.write(handle::issue_new(Value::SubjectAlternativeNameInfo(Arc::new(Mutex::new(san))))?);
        Ok(())
    })
}

/// `SubjectAlternativeNameInfo()`: an empty info (no entries of any kind), to fill through the
/// plural vectors. `*out` (not NULL) receives a new reference.
#[unsafe(no_mangle)]
pub extern "C" fn netrt_subject_alternative_name_info_create(out: *mut netrt_handle) -> netrt_hresult {
    ffi!("netrt_subject_alternative_name_info_create", {
        let out = Out::new(out, "out")?;
        let san = Arc::new(Mutex::new(SubjectAlternativeNameInfo::default()));
        out.write(handle::issue_new(Value::SubjectAlternativeNameInfo(san))?);
        Ok(())
    })
}

/// A singular member (`DnsName`, ...): a new read-only vector of strings, the entries now.
fn san_out(info: netrt_handle, out: *mut netrt_handle, kind: Kind) -> Result<(), Error> {
    let out = Out::new(out, "out")?;
    let san = get!(info, SubjectAlternativeNameInfo);
    out.write(issue_vector(VectorObject::Strings(SubjectAlternativeNameInfo::entries_view(&san, kind)))?);
    Ok(())
}

/// A plural member (`DnsNames`, ...): a new handle to a live vector of strings over the info.
fn san_vector_out(info: netrt_handle, out: *mut netrt_handle, kind: Kind) -> Result<(), Error> {
    let out = Out::new(out, "out")?;
    let san = get!(info, SubjectAlternativeNameInfo);
    out.write(issue_vector(VectorObject::Strings(SubjectAlternativeNameInfo::entries_vector(&san, kind)))?);
    Ok(())
}

/// `SubjectAlternativeNameInfo.DnsName`: the dNSName entries, a new read-only vector of
/// strings (`netrt_vector_get_at_string`). `*out` not NULL.
#[unsafe(no_mangle)]
pub extern "C" fn netrt_subject_alternative_name_info_get_dns_name(
    info: netrt_handle,
    out: *mut netrt_handle,
) -> netrt_hresult {
    ffi!("netrt_subject_alternative_name_info_get_dns_name", { san_out(info, out, Kind::DnsName) })
}

/// `SubjectAlternativeNameInfo.IPAddress`: the iPAddress entries as text ("192.0.2.1",
/// "2001:db8::1"), a new read-only vector of strings. `*out` not NULL.
#[unsafe(no_mangle)]
pub extern "C" fn netrt_subject_alternative_name_info_get_ip_address(
    info: netrt_handle,
    out: *mut netrt_handle,
) -> netrt_hresult {
    ffi!("netrt_subject_alternative_name_info_get_ip_address", { san_out(info, out, Kind::IpAddress) })
}

/// `SubjectAlternativeNameInfo.Url`: the URI entries, a new read-only vector of strings.
/// `*out` not NULL.
#[unsafe(no_mangle)]
pub extern "C" fn netrt_subject_alternative_name_info_get_url(
    info: netrt_handle,
    out: *mut netrt_handle,
) -> netrt_hresult {
    ffi!("netrt_subject_alternative_name_info_get_url", { san_out(info, out, Kind::Url) })
}

/// `SubjectAlternativeNameInfo.EmailName`: the rfc822Name entries, a new read-only vector of
/// strings. `*out` not NULL.
#[unsafe(no_mangle)]
pub extern "C" fn netrt_subject_alternative_name_info_get_email_name(
    info: netrt_handle,
    out: *mut netrt_handle,
) -> netrt_hresult {
    ffi!("netrt_subject_alternative_name_info_get_email_name", { san_out(info, out, Kind::EmailName) })
}

/// `SubjectAlternativeNameInfo.DistinguishedName`: the directoryName entries as RFC 4514
/// strings, a new read-only vector of strings. `*out` not NULL.
#[unsafe(no_mangle)]
pub extern "C" fn netrt_subject_alternative_name_info_get_distinguished_name(
    info: netrt_handle,
    out: *mut netrt_handle,
) -> netrt_hresult {
    ffi!("netrt_subject_alternative_name_info_get_distinguished_name", {
        san_out(info, out, Kind::DistinguishedName)
    })
}

/// `SubjectAlternativeNameInfo.PrincipalName`: the user principal names (Microsoft UPN
/// otherName), a new read-only vector of strings. `*out` not NULL.
#[unsafe(no_mangle)]
pub extern "C" fn netrt_subject_alternative_name_info_get_principal_name(
    info: netrt_handle,
    out: *mut netrt_handle,
) -> netrt_hresult {
    ffi!("netrt_subject_alternative_name_info_get_principal_name", {
        san_out(info, out, Kind::PrincipalName)
    })
}

/// `SubjectAlternativeNameInfo.DnsNames`: the same entries as `DnsName`, as a live, modifiable
/// vector of strings over this info (`netrt_vector_append_string`, ...; changes show in both
/// members of this info only, never in the certificate). `*out` not NULL.
#[unsafe(no_mangle)]
pub extern "C" fn netrt_subject_alternative_name_info_get_dns_names(
    info: netrt_handle,
    out: *mut netrt_handle,
) -> netrt_hresult {
    ffi!("netrt_subject_alternative_name_info_get_dns_names", { san_vector_out(info, out, Kind::DnsName) })
}

/// `SubjectAlternativeNameInfo.IPAddresses`: as `netrt_subject_alternative_name_info_get_dns_names`
/// for the iPAddress entries; an element that is not an IPv4 or IPv6 address is refused with
/// `E_INVALIDARG`. `*out` not NULL.
#[unsafe(no_mangle)]
pub extern "C" fn netrt_subject_alternative_name_info_get_ip_addresses(
    info: netrt_handle,
    out: *mut netrt_handle,
) -> netrt_hresult {
    ffi!("netrt_subject_alternative_name_info_get_ip_addresses", {
        san_vector_out(info, out, Kind::IpAddress)
    })
}

/// `SubjectAlternativeNameInfo.Urls`: as `netrt_subject_alternative_name_info_get_dns_names`
/// for the URI entries. `*out` not NULL.
#[unsafe(no_mangle)]
pub extern "C" fn netrt_subject_alternative_name_info_get_urls(
    info: netrt_handle,
    out: *mut netrt_handle,
) -> netrt_hresult {
    ffi!("netrt_subject_alternative_name_info_get_urls", { san_vector_out(info, out, Kind::Url) })
}

/// `SubjectAlternativeNameInfo.EmailNames`: as `netrt_subject_alternative_name_info_get_dns_names`
/// for the rfc822Name entries. `*out` not NULL.
#[unsafe(no_mangle)]
pub extern "C" fn netrt_subject_alternative_name_info_get_email_names(
    info: netrt_handle,
    out: *mut netrt_handle,
) -> netrt_hresult {
    ffi!("netrt_subject_alternative_name_info_get_email_names", {
        san_vector_out(info, out, Kind::EmailName)
    })
}

/// `SubjectAlternativeNameInfo.DistinguishedNames`: as
/// `netrt_subject_alternative_name_info_get_dns_names` for the directoryName entries (RFC 4514
/// strings). `*out` not NULL.
#[unsafe(no_mangle)]
pub extern "C" fn netrt_subject_alternative_name_info_get_distinguished_names(
    info: netrt_handle,
    out: *mut netrt_handle,
) -> netrt_hresult {
    ffi!("netrt_subject_alternative_name_info_get_distinguished_names", {
        san_vector_out(info, out, Kind::DistinguishedName)
    })
}

/// `SubjectAlternativeNameInfo.PrincipalNames`: as
/// `netrt_subject_alternative_name_info_get_dns_names` for the user principal names.
/// `*out` not NULL.
#[unsafe(no_mangle)]
pub extern "C" fn netrt_subject_alternative_name_info_get_principal_names(
    info: netrt_handle,
    out: *mut netrt_handle,
) -> netrt_hresult {
    ffi!("netrt_subject_alternative_name_info_get_principal_names", {
        san_vector_out(info, out, Kind::PrincipalName)
    })
}
