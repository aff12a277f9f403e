//! `ChainBuildingParameters` (Windows.Security.Cryptography.Certificates): what
//! `Certificate.build_chain_async(certificates, parameters)` honours (core
//! `netrt::tls::ChainBuildingParameters` says what netrt does with each member).

use netrt::tls::ChainBuildingParameters;
use pyo3::exceptions::PyTypeError;
use pyo3::prelude::*;

use crate::convert::{datetime, datetime_arg};
use crate::vector::{AnyVector, PyVector};

/// `ChainBuildingParameters`: exclusive roots, required usages, the validation time; revocation
/// checking reports REVOCATION_INFORMATION_MISSING; the network retrieval flags change nothing.
#[pyclass(module = "netrt", name = "ChainBuildingParameters", frozen)]
pub struct PyChainBuildingParameters {
    pub inner: ChainBuildingParameters,
}

#[pymethods]
impl PyChainBuildingParameters {
    #[new]
    fn new() -> Self {
        Self { inner: ChainBuildingParameters::new() }
    }

    /// `EnhancedKeyUsages`: OIDs ("1.3.6.1.5.5.7.3.1") every certificate below the root must
    /// allow (a live list; an element that is not a dotted OID raises ValueError).
    #[getter]
    fn enhanced_key_usages(&self) -> PyVector {
        PyVector::new(AnyVector::Strings(self.inner.enhanced_key_usages()))
    }

    /// `ExclusiveTrustRoots`: when not empty, the only roots trusted (a live list).
    #[getter]
    fn exclusive_trust_roots(&self) -> PyVector {
        PyVector::new(AnyVector::Certificates(self.inner.exclusive_trust_roots()))
    }

    /// `ValidationTimestamp`: when dates are checked if `current_time_validation_enabled` is False.
    #[getter]
    fn validation_timestamp(&self, py: Python<'_>) -> PyResult<Py<PyAny>> {
        datetime(py, self.inner.validation_timestamp())
    }

    #[setter]
    fn set_validation_timestamp(&self, value: &Bound<'_, PyAny>) -> PyResult<()> {
        self.inner.set_validation_timestamp(datetime_arg(value)?);
        Ok(())
    }

    /// `CurrentTimeValidationEnabled` (default True).
    #[getter]
    fn current_time_validation_enabled(&self) -> bool {
        self.inner.current_time_validation_enabled()
    }

    #[setter]
    fn set_current_time_validation_enabled(&self, value: bool) {
        self.inner.set_current_time_validation_enabled(value);
    }

    /// `RevocationCheckEnabled` (default False; True: validation reports
    /// REVOCATION_INFORMATION_MISSING below the root, as there is no revocation source).
    #[getter]
    fn revocation_check_enabled(&self) -> bool {
        self.inner.revocation_check_enabled()
    }

    #[setter]
    fn set_revocation_check_enabled(&self, value: bool) {
        self.inner.set_revocation_check_enabled(value);
    }

    /// `NetworkRetrievalEnabled` (default False; kept, netrt never fetches).
    #[getter]
    fn network_retrieval_enabled(&self) -> bool {
        self.inner.network_retrieval_enabled()
    }

    #[setter]
    fn set_network_retrieval_enabled(&self, value: bool) {
        self.inner.set_network_retrieval_enabled(value);
    }

    /// `AuthorityInformationAccessEnabled` (default False; kept, netrt never follows AIA URLs).
    #[getter]
    fn authority_information_access_enabled(&self) -> bool {
        self.inner.authority_information_access_enabled()
    }

    #[setter]
    fn set_authority_information_access_enabled(&self, value: bool) {
        self.inner.set_authority_information_access_enabled(value);
    }
}

/// `parameters` as core's, copied now (later changes do not reach a started build).
pub fn parameters_arg(parameters: &Bound<'_, PyAny>) -> PyResult<ChainBuildingParameters> {
    parameters
        .cast::<PyChainBuildingParameters>()
        .map(|p| p.get().inner.detached())
        .map_err(|_| PyTypeError::new_err("expected a netrt.ChainBuildingParameters"))
}
