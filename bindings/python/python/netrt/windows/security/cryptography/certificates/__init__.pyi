# Re-exports only: see the flat `netrt` stub for the types.

from netrt import (
    Certificate as Certificate,
    CertificateChain as CertificateChain,
    CertificateChainPolicy as CertificateChainPolicy,
    CertificateExtension as CertificateExtension,
    CertificateKeyUsages as CertificateKeyUsages,
    ChainBuildingParameters as ChainBuildingParameters,
    ChainValidationParameters as ChainValidationParameters,
    ChainValidationResult as ChainValidationResult,
    SubjectAlternativeNameInfo as SubjectAlternativeNameInfo,
)

__all__ = [
    "Certificate",
    "CertificateChain",
    "CertificateChainPolicy",
    "CertificateExtension",
    "CertificateKeyUsages",
    "ChainBuildingParameters",
    "ChainValidationParameters",
    "ChainValidationResult",
    "SubjectAlternativeNameInfo",
]
