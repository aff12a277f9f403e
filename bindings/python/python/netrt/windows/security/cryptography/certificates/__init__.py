"""Windows.Security.Cryptography.Certificates, where PyWinRT puts it (``winrt.windows.security.cryptography.certificates``): the names netrt implements.

PyWinRT code ports by renaming ``winrt`` to ``netrt``. Each name is the same object as
``netrt.<name>``; the flat ``netrt`` namespace stays the primary one.
"""

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
