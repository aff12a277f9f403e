//! The capability names a Package.appxmanifest may declare, so a misspelt name fails the
//! load instead of silently denying the app its network access.
//!
//! netrt enforces the network ones (see [`super::Capability`]); the others are accepted so
//! that an app's real manifest loads unchanged, and are reported by the query API.

/// `<Capability>` and `<uap*:Capability>` names (general-use and special-use).
const GENERAL: &[&str] = &[
    "internetClient",
    "internetClientServer",
    "privateNetworkClientServer",
    "allJoyn",
    "codeGeneration",
    "musicLibrary",
    "picturesLibrary",
    "videosLibrary",
    "documentsLibrary",
    "removableStorage",
    "appointments",
    "contacts",
    "phoneCall",
    "phoneCallHistoryPublic",
    "blockedChatMessages",
    "objects3D",
    "voipCall",
    "chat",
    "enterpriseAuthentication",
    "sharedUserCertificates",
    "userAccountInformation",
    "spatialPerception",
    "remoteSystem",
    "backgroundMediaPlayback",
    "userNotificationListener",
    "offlineMapsManagement",
    "userDataTasks",
    "graphicsCapture",
    "globalMediaControl",
    "recordedCallsFolder",
];

/// `<rescap:Capability>` names (restricted capabilities) that apps commonly declare.
const RESTRICTED: &[&str] = &[
    "runFullTrust",
    "broadFileSystemAccess",
    "allowElevation",
    "appCaptureSettings",
    "appDiagnostics",
    "appLicensing",
    "backgroundSpatialPerception",
    "confirmAppClose",
    "customInstallActions",
    "deviceUnlock",
    "enterpriseDataPolicy",
    "enterpriseCloudSSO",
    "expandedResources",
    "extendedBackgroundTaskTime",
    "extendedExecutionBackgroundAudio",
    "extendedExecutionCritical",
    "extendedExecutionUnconstrained",
    "gameList",
    "inputForegroundObservation",
    "inputInjectionBrokered",
    "inputObservation",
    "inputSuppression",
    "localSystemServices",
    "modifiableApp",
    "packageManagement",
    "packagePolicySystem",
    "packageQuery",
    "packageWriteRedirectionCompatibilityShim",
    "previewStore",
    "protectedApp",
    "smsSend",
    "startScreenManagement",
    "systemAIModels",
    "teamEditionExperience",
    "unvirtualizedResources",
    "userDataSystem",
    "userPrincipalName",
    "userSystemId",
    "uiAccess",
    "cellularDeviceControl",
    "cellularDeviceIdentity",
    "networkingVpnProvider",
    "networkConnectionManagerProvisioning",
    "networkDataPlanProvisioning",
    "oemDeployment",
    "oemPublicDirectory",
    "accessoryManager",
    "email",
    "emailSystem",
    "screenDuplication",
    "developmentModeNetwork",
    "remotePassportAuthentication",
    "secondaryAuthenticationFactor",
    "liveIdService",
    "locationHistory",
    "locationSystem",
    "lowLevelDevices",
    "chatSystem",
    "contactsSystem",
    "phoneCallSystem",
    "appointmentsSystem",
    "userDataAccountsProvider",
    "walletSystem",
    "xboxAccessoryManagement",
];

/// `<DeviceCapability>` names (device interface class GUIDs are also accepted).
const DEVICE: &[&str] = &[
    "proximity",
    "location",
    "microphone",
    "webcam",
    "bluetooth",
    "usb",
    "serialcommunication",
    "humaninterfacedevice",
    "pointOfService",
    "lowLevel",
    "wiFiControl",
    "radios",
    "optical",
    "activity",
    "humanPresence",
    "gazeInput",
    "sensors",
    "bluetooth.rfcomm",
    "bluetooth.genericAttributeProfile",
];

/// Which element a capability was declared with.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Kind {
    /// `Capability` in the foundation or a uap namespace.
    General,
    /// `rescap:Capability`.
    Restricted,
    /// `DeviceCapability`.
    Device,
}

fn list(kind: Kind) -> &'static [&'static str] {
    match kind {
        Kind::General => GENERAL,
        Kind::Restricted => RESTRICTED,
        Kind::Device => DEVICE,
    }
}

/// Checks a declared name; the error explains what is wrong (and suggests the right spelling
/// when only the case differs or the name belongs to another element).
pub fn check(kind: Kind, name: &str) -> Result<(), String> {
    if list(kind).contains(&name) || (kind == Kind::Device && is_guid(name)) {
        return Ok(());
    }
    let element = |k: Kind| match k {
        Kind::General => "Capability (or uap:Capability)",
        Kind::Restricted => "rescap:Capability",
        Kind::Device => "DeviceCapability",
    };
    for k in [Kind::General, Kind::Restricted, Kind::Device] {
        if let Some(right) = list(k).iter().find(|n| n.eq_ignore_ascii_case(name)) {
            return Err(if k == kind {
                format!("unknown capability \"{name}\" (names are case-sensitive: did you mean \"{right}\"?)")
            } else {
                format!("capability \"{name}\" is declared with {}, not {}", element(k), element(kind))
            });
        }
    }
    Err(format!("unknown capability \"{name}\" in {}", element(kind)))
}

/// `{xxxxxxxx-xxxx-xxxx-xxxx-xxxxxxxxxxxx}` or without braces.
fn is_guid(s: &str) -> bool {
    let s = s.strip_prefix('{').and_then(|s| s.strip_suffix('}')).unwrap_or(s);
    let groups: Vec<&str> = s.split('-').collect();
    groups.len() == 5
        && groups
            .iter()
            .zip([8, 4, 4, 4, 12])
            .all(|(g, n)| g.len() == n && g.bytes().all(|b| b.is_ascii_hexdigit()))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn known_names_pass_and_typos_are_explained() {
        assert!(check(Kind::General, "internetClient").is_ok());
        assert!(check(Kind::Restricted, "runFullTrust").is_ok());
        assert!(check(Kind::Device, "proximity").is_ok());
        assert!(check(Kind::Device, "{53f56307-b6bf-11d0-94f2-00a0c91efb8b}").is_ok());
        let e = check(Kind::General, "internetclient").unwrap_err();
        assert!(e.contains("did you mean \"internetClient\""), "{e}");
        let e = check(Kind::General, "proximity").unwrap_err();
        assert!(e.contains("DeviceCapability"), "{e}");
        let e = check(Kind::General, "internetServer").unwrap_err();
        assert!(e.contains("unknown capability \"internetServer\""), "{e}");
    }
}
