use pyo3::prelude::*; #[pymodule] fn _netrt(_m: &Bound<PyModule>) -> PyResult<()> { Ok(()) }
