// <netrt/Windows.Security.Cryptography.Certificates.h>: mirrors C++/WinRT's <winrt/Windows.Security.Cryptography.Certificates.h>. netrt's projection is one header,
// <netrt.hpp>; this one exists so `#include <winrt/Windows.Security.Cryptography.Certificates.h>` ports by renaming `winrt`.
// Declares Windows.Security.Cryptography.Certificates (Certificate, CertificateChain,
// ChainValidationParameters, ChainBuildingParameters, CertificateKeyUsages, SubjectAlternativeNameInfo,
// CertificateExtension,
// ChainValidationResult, CertificateChainPolicy).
#ifndef NETRT_WINDOWS_SECURITY_CRYPTOGRAPHY_CERTIFICATES_H
#define NETRT_WINDOWS_SECURITY_CRYPTOGRAPHY_CERTIFICATES_H
#include <netrt.hpp>
#endif
