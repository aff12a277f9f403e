//! `ChainBuildingParameters` as a handle kind: what
//! `netrt_certificate_build_chain_with_parameters_async` honours. The object is internally
//! locked (every handle may be used from any thread); its two vectors are live views of it.

use netrt_core::foundation::DateTime;
use netrt_core::tls::ChainBuildingParameters;

use crate::boundary::{Out, netrt_handle, netrt_hresult};
use crate::handle;
use crate::object::{Value, get};
use crate::vector::{VectorObject, issue as issue_vector};

/// `ChainBuildingParameters()`: no required usage, the current time, no revocation check, no
/// network retrieval, no exclusive roots (the system trust store). `*out` (not NULL) receives a
/// new reference.
#[unsafe(no_mangle)]
pub extern "C" fn netrt_chain_building_parameters_create(out: *mut netrt_handle) -> netrt_hresult {
    ffi!("netrt_chain_building_parameters_create", {
        let out = Out::new(out, "out")?;
        out.write(handle::issue_new(Value::ChainBuildingParameters(ChainBuildingParameters::new()))?);
        Ok(())
    })
}

/// `ChainBuildingParameters.EnhancedKeyUsages`: a new handle to a live vector of strings, the
/// OIDs ("1.3.6.1.5.5.7.3.1") every certificate below the root must allow (one without an
/// extendedKeyUsage extension allows all). An element that is not a dotted-decimal OID is
/// refused with `E_INVALIDARG`. `*out` not NULL.
#[unsafe(no_mangle)]
pub extern "C" fn netrt_chain_building_parameters_get_enhanced_key_usages(
    parameters: netrt_handle,
    out: *mut netrt_handle,
) -> netrt_hresult {
    ffi!("netrt_chain_building_parameters_get_enhanced_key_usages", {
        let out = Out::new(out, "out")?;
        let params = get!(parameters, ChainBuildingParameters);
        out.write(issue_vector(VectorObject::Strings(params.enhanced_key_usages()))?);
        Ok(())
    })
}

/// `ChainBuildingParameters.ExclusiveTrustRoots`: a new handle to a live vector of Certificate
/// handles; when not empty, the chain is built up to these roots only and validated against them
/// only. `*out` not NULL.
#[unsafe(no_mangle)]
pub extern "C" fn netrt_chain_building_parameters_get_exclusive_trust_roots(
    parameters: netrt_handle,
    out: *mut netrt_handle,
) -> netrt_hresult {
    ffi!("netrt_chain_building_parameters_get_exclusive_trust_roots", {
        let out = Out::new(out, "out")?;
        let params = get!(parameters, ChainBuildingParameters);
        out.write(issue_vector(VectorObject::Certificates(params.exclusive_trust_roots()))?);
        Ok(())
    })
}

/// `ChainBuildingParameters.ValidationTimestamp` (get): a DateTime (100-ns ticks since
/// 1601-01-01 UTC), by default when the parameters were made. `out_value` not NULL.
#[unsafe(no_mangle)]
pub extern "C" fn netrt_chain_building_parameters_get_validation_timestamp(
    parameters: netrt_handle,
    out_value: *mut i64,
) -> netrt_hresult {
    ffi!("netrt_chain_building_parameters_get_validation_timestamp", {
        let out = Out::new(out_value, "out_value")?;
        out.write(get!(parameters, ChainBuildingParameters).validation_timestamp().universal_time);
        Ok(())
    })
}

/// `ChainBuildingParameters.ValidationTimestamp` (set): when the dates are checked if
/// `CurrentTimeValidationEnabled` is false. Any DateTime value is accepted.
#[unsafe(no_mangle)]
pub extern "C" fn netrt_chain_building_parameters_set_validation_timestamp(
    parameters: netrt_handle,
    value: i64,
) -> netrt_hresult {
    ffi!("netrt_chain_building_parameters_set_validation_timestamp", {
        get!(parameters, ChainBuildingParameters)
            .set_validation_timestamp(DateTime { universal_time: value });
        Ok(())
    })
}

/// `ChainBuildingParameters.CurrentTimeValidationEnabled` (get): dates are checked now (true, the default) or at `ValidationTimestamp` (false). `out_value` not NULL.
#[unsafe(no_mangle)]
pub extern "C" fn netrt_chain_building_parameters_get_current_time_validation_enabled(
    parameters: netrt_handle,
    out_value: *mut bool,
) -> netrt_hresult {
    ffi!("netrt_chain_building_parameters_get_current_time_validation_enabled", {
        let out = Out::new(out_value, "out_value")?;
        out.write(get!(parameters, ChainBuildingParameters).current_time_validation_enabled());
        Ok(())
    })
}

/// `ChainBuildingParameters.CurrentTimeValidationEnabled` (set).
#[unsafe(no_mangle)]
pub extern "C" fn netrt_chain_building_parameters_set_current_time_validation_enabled(
    parameters: netrt_handle,
    value: bool,
) -> netrt_hresult {
    ffi!("netrt_chain_building_parameters_set_current_time_validation_enabled", {
        get!(parameters, ChainBuildingParameters).set_current_time_validation_enabled(value);
        Ok(())
    })
}

/// `ChainBuildingParameters.RevocationCheckEnabled` (get): default false; when true, validation reports `REVOCATION_INFORMATION_MISSING` for a chain with a certificate below its root (netrt has no revocation source for a built chain). `out_value` not NULL.
#[unsafe(no_mangle)]
pub extern "C" fn netrt_chain_building_parameters_get_revocation_check_enabled(
    parameters: netrt_handle,
    out_value: *mut bool,
) -> netrt_hresult {
    ffi!("netrt_chain_building_parameters_get_revocation_check_enabled", {
        let out = Out::new(out_value, "out_value")?;
        out.write(get!(parameters, ChainBuildingParameters).revocation_check_enabled());
        Ok(())
    })
}

/// `ChainBuildingParameters.RevocationCheckEnabled` (set).
#[unsafe(no_mangle)]
pub extern "C" fn netrt_chain_building_parameters_set_revocation_check_enabled(
    parameters: netrt_handle,
    value: bool,
) -> netrt_hresult {
    ffi!("netrt_chain_building_parameters_set_revocation_check_enabled", {
        get!(parameters, ChainBuildingParameters).set_revocation_check_enabled(value);
        Ok(())
    })
}

/// `ChainBuildingParameters.NetworkRetrievalEnabled` (get): default false; kept, but netrt never retrieves anything over the network, so true builds the same chain. `out_value` not NULL.
#[unsafe(no_mangle)]
pub extern "C" fn netrt_chain_building_parameters_get_network_retrieval_enabled(
    parameters: netrt_handle,
    out_value: *mut bool,
) -> netrt_hresult {
    ffi!("netrt_chain_building_parameters_get_network_retrieval_enabled", {
        let out = Out::new(out_value, "out_value")?;
        out.write(get!(parameters, ChainBuildingParameters).network_retrieval_enabled());
        Ok(())
    })
}

/// `ChainBuildingParameters.NetworkRetrievalEnabled` (set).
#[unsafe(no_mangle)]
pub extern "C" fn netrt_chain_building_parameters_set_network_retrieval_enabled(
    parameters: netrt_handle,
    value: bool,
) -> netrt_hresult {
    ffi!("netrt_chain_building_parameters_set_network_retrieval_enabled", {
        get!(parameters, ChainBuildingParameters).set_network_retrieval_enabled(value);
        Ok(())
    })
}

/// `ChainBuildingParameters.AuthorityInformationAccessEnabled` (get): default false; kept, but netrt never follows AIA URLs, so true builds the same chain. `out_value` not NULL.
#[unsafe(no_mangle)]
pub extern "C" fn netrt_chain_building_parameters_get_authority_information_access_enabled(
    parameters: netrt_handle,
    out_value: *mut bool,
) -> netrt_hresult {
    ffi!("netrt_chain_building_parameters_get_authority_information_access_enabled", {
        let out = Out::new(out_value, "out_value")?;
        out.write(get!(parameters, ChainBuildingParameters).authority_information_access_enabled());
        Ok(())
    })
}

/// `ChainBuildingParameters.AuthorityInformationAccessEnabled` (set).
#[unsafe(no_mangle)]
pub extern "C" fn netrt_chain_building_parameters_set_authority_information_access_enabled(
    parameters: netrt_handle,
    value: bool,
) -> netrt_hresult {
    ffi!("netrt_chain_building_parameters_set_authority_information_access_enabled", {
        get!(parameters, ChainBuildingParameters).set_authority_information_access_enabled(value);
        Ok(())
    })
}
