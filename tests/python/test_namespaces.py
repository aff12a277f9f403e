"""PyWinRT's module layout as aliases: ``netrt.windows.networking.sockets`` etc. re-export the
very objects of the flat ``netrt`` namespace, each in the namespace where PyWinRT has it."""

from __future__ import annotations

import importlib

import pytest

import netrt

# The class and enum names PyWinRT 3 declares in each namespace (from its stubs; interfaces and
# `_Static` metaclasses left out). Where netrt implements one, the alias module must have it.
PYWINRT: dict[str, set[str]] = {
    "windows.foundation": {
        "AsyncStatus", "PropertyType", "EventRegistrationToken", "HResult", "Point", "Rect", "Size",
        "Deferral", "GuidHelper", "MemoryBuffer", "PropertyValue", "Uri", "WwwFormUrlDecoder",
        "WwwFormUrlDecoderEntry", "IAsyncAction", "IAsyncActionWithProgress", "IAsyncInfo",
        "IAsyncOperationWithProgress", "IAsyncOperation", "IClosable",
    },
    "windows.networking": {"DomainNameType", "HostNameSortOptions", "HostNameType", "EndpointPair", "HostName"},
    "windows.networking.backgroundtransfer": {
        "BackgroundTransferBehavior", "BackgroundTransferCostPolicy", "BackgroundTransferPriority",
        "BackgroundTransferStatus", "BackgroundDownloadProgress", "BackgroundUploadProgress",
        "BackgroundTransferFileRange", "BackgroundDownloader", "BackgroundUploader", "DownloadOperation",
        "UploadOperation", "BackgroundTransferContentPart", "BackgroundTransferError", "BackgroundTransferGroup",
        "BackgroundTransferCompletionGroup", "BackgroundTransferCompletionGroupTriggerDetails",
        "BackgroundTransferRangesDownloadedEventArgs", "ResponseInformation", "UnconstrainedTransferRequestResult",
        "ContentPrefetcher",
    },
    "windows.networking.connectivity": {"IPInformation", "NetworkAdapter", "ConnectionProfile", "NetworkInformation"},
    "windows.networking.sockets": {
        "ControlChannelTriggerResetReason", "ControlChannelTriggerResourceType", "ControlChannelTriggerStatus",
        "MessageWebSocketReceiveMode", "SocketActivityConnectedStandbyAction", "SocketActivityKind",
        "SocketActivityTriggerReason", "SocketErrorStatus", "SocketMessageType", "SocketProtectionLevel",
        "SocketQualityOfService", "SocketSslErrorSeverity", "BandwidthStatistics", "RoundTripTimeStatistics",
        "ControlChannelTrigger", "DatagramSocket", "DatagramSocketControl", "DatagramSocketInformation",
        "DatagramSocketMessageReceivedEventArgs", "MessageWebSocket", "MessageWebSocketControl",
        "MessageWebSocketInformation", "MessageWebSocketMessageReceivedEventArgs", "SocketActivityContext",
        "SocketActivityInformation", "SocketActivityTriggerDetails", "SocketError", "StreamSocket",
        "StreamSocketControl", "StreamSocketInformation", "StreamSocketListener",
        "StreamSocketListenerConnectionReceivedEventArgs", "StreamSocketListenerControl",
        "StreamSocketListenerInformation", "StreamWebSocket", "StreamWebSocketControl",
        "StreamWebSocketInformation", "WebSocketClosedEventArgs", "WebSocketError", "WebSocketKeepAlive",
        "WebSocketServerCustomValidationRequestedEventArgs",
    },
    "windows.storage": {
        "ApplicationDataCreateDisposition", "CreationCollisionOption", "FileAccessMode", "FileAttributes",
        "KnownFolderId", "NameCollisionOption", "StorageDeleteOption", "StorageItemTypes", "StorageOpenOptions",
        "ApplicationData", "KnownFolders", "StorageFile", "StorageFolder", "StorageProvider", "IStorageFile",
        "IStorageFolder", "IStorageItem",
    },
    "windows.storage.streams": {
        "ByteOrder", "FileOpenDisposition", "InputStreamOptions", "UnicodeEncoding", "Buffer", "DataReader",
        "DataReaderLoadOperation", "DataWriter", "DataWriterStoreOperation", "FileInputStream",
        "FileOutputStream", "FileRandomAccessStream", "InMemoryRandomAccessStream", "InputStreamOverStream",
        "OutputStreamOverStream", "RandomAccessStream", "RandomAccessStreamOverStream",
        "RandomAccessStreamReference", "IBuffer", "IInputStream", "IOutputStream", "IRandomAccessStream",
    },
    "windows.security.cryptography.certificates": {
        "CertificateChainPolicy", "ChainValidationResult", "EnrollKeyUsages", "ExportOption", "InstallOptions",
        "KeyProtectionLevel", "KeySize", "SignatureValidationResult", "Certificate", "CertificateChain",
        "CertificateEnrollmentManager", "CertificateExtension", "CertificateKeyUsages", "CertificateQuery",
        "CertificateRequestProperties", "CertificateStore", "CertificateStores", "ChainBuildingParameters",
        "ChainValidationParameters", "CmsAttachedSignature", "CmsDetachedSignature", "KeyAlgorithmNames",
        "KeyStorageProviderNames", "PfxImportParameters", "StandardCertificateStoreNames",
        "SubjectAlternativeNameInfo",
    },
    "windows.web": {"WebErrorStatus", "WebError"},
    "windows.web.syndication": {
        "SyndicationErrorStatus", "SyndicationFormat", "SyndicationTextType", "RetrievalProgress",
        "TransferProgress", "SyndicationAttribute", "SyndicationCategory", "SyndicationClient",
        "SyndicationContent", "SyndicationError", "SyndicationFeed", "SyndicationGenerator", "SyndicationItem",
        "SyndicationLink", "SyndicationNode", "SyndicationPerson", "SyndicationText", "ISyndicationNode",
    },
    "windows.web.atompub": {"AtomPubClient", "ResourceCollection", "ServiceDocument", "Workspace"},
    "windows.data.xml.dom": {
        "NodeType", "XmlAttribute", "XmlCDataSection", "XmlComment", "XmlDocument", "XmlElement",
        "XmlLoadSettings", "XmlNodeList", "XmlText",
    },
    "windows.security.credentials": {"PasswordCredential", "PasswordCredentialPropertyStore", "PasswordVault"},
    "windows.applicationmodel.background": {
        "BackgroundTaskBuilder", "BackgroundTaskCancellationReason", "BackgroundTaskCompletedEventArgs",
        "BackgroundTaskDeferral",
        "BackgroundTaskProgressEventArgs", "BackgroundTaskRegistration", "BackgroundTaskRegistrationGroup",
        "IBackgroundTask", "IBackgroundTaskInstance", "IBackgroundTaskRegistration", "IBackgroundTrigger",
        "SocketActivityTrigger",
    },
}

# netrt's own additions, placed beside the WinRT types they belong with.
EXTENSIONS: dict[str, set[str]] = {
    "windows.networking.sockets": {
        "ClientCertificateMode", "TlsVersion", "AppManifest", "NetworkDirection",
        # ControlChannelTrigger's background triggers and task details (PyWinRT types them as
        # interfaces: IBackgroundTrigger, IControlChannelTriggerEventDetails).
        "ControlChannelBackgroundTrigger", "ControlChannelTriggerEventDetails", "IControlChannelTriggerEventDetails",
    },
    # The broker starts a task as a new process, which finds its instance itself; in-process
    # tasks (ControlChannelTrigger's) run the code registered for their entry point.
    "windows.applicationmodel.background": {
        "ActivationSubscription", "BackgroundTaskInstance", "run_background_task", "register_task_entry_point",
        "unregister_task_entry_point",
    },
}

# Names of the flat namespace that are netrt's Python exceptions, in no WinRT namespace.
NETRT_ONLY = {"NetworkError", "InvalidArgumentError", "OutOfBoundsError"}

ALIASES = [
    "windows",
    "windows.applicationmodel",
    "windows.applicationmodel.background",
    "windows.foundation",
    "windows.networking",
    "windows.networking.backgroundtransfer",
    "windows.networking.connectivity",
    "windows.networking.sockets",
    "windows.storage",
    "windows.storage.streams",
    "windows.security",
    "windows.security.cryptography",
    "windows.security.cryptography.certificates",
    "windows.security.credentials",
    "windows.web",
    "windows.web.syndication",
    "windows.web.atompub",
    "windows.data",
    "windows.data.xml",
    "windows.data.xml.dom",
]


@pytest.mark.parametrize("name", ALIASES)
def test_alias_module_imports(name: str) -> None:
    mod = importlib.import_module(f"netrt.{name}")
    assert mod.__name__ == f"netrt.{name}"


def test_sockets_alias_is_the_same_class() -> None:
    import netrt.windows.networking.sockets as sockets

    assert sockets.StreamSocket is netrt.StreamSocket
    assert sockets.SocketProtectionLevel.TLS12 is netrt.SocketProtectionLevel.TLS12


@pytest.mark.parametrize("ns", sorted(PYWINRT))
def test_every_implemented_pywinrt_name_is_in_its_namespace(ns: str) -> None:
    try:
        mod = importlib.import_module(f"netrt.{ns}")
    except ModuleNotFoundError:
        assert not any(hasattr(netrt, n) for n in PYWINRT[ns]), f"netrt.{ns} is missing"
        return
    expected = {n for n in PYWINRT[ns] | EXTENSIONS.get(ns, set()) if hasattr(netrt, n)}
    assert expected, ns
    for name in sorted(expected):
        assert getattr(mod, name) is getattr(netrt, name), f"netrt.{ns}.{name}"
    # Nothing else, and __all__ says exactly that.
    assert set(mod.__all__) == expected


def test_every_flat_name_has_a_namespace() -> None:
    placed: dict[str, str] = {}
    for ns in PYWINRT:
        try:
            mod = importlib.import_module(f"netrt.{ns}")
        except ModuleNotFoundError:
            continue
        for name in mod.__all__:
            assert name not in placed, f"{name} is in netrt.{placed.get(name)} and netrt.{ns}"
            placed[name] = ns
    missing = set(netrt.__all__) - NETRT_ONLY - set(placed)
    assert not missing, f"not reachable under netrt.windows: {sorted(missing)}"


def test_star_import_from_an_alias() -> None:
    scope: dict[str, object] = {}
    exec("from netrt.windows.storage.streams import *", scope)
    assert scope["DataWriter"] is netrt.DataWriter
    assert "StreamSocket" not in scope
