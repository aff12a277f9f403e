//! Windows.Networking and Windows.Networking.Sockets: host names, TCP and UDP sockets.

pub mod control;
pub mod datagram;
pub mod enums;
pub mod hostname;
pub mod ip_information;
pub mod listener;
pub mod resolve;
pub mod stream_socket;
pub mod tcp_info;

pub use control::{StreamSocketControl, StreamSocketListenerControl};
pub use datagram::{
    DatagramSocket, DatagramSocketControl, DatagramSocketInformation, DatagramSocketMessageReceivedEventArgs,
};
pub use enums::{SocketProtectionLevel, SocketQualityOfService};
pub use hostname::{EndpointPair, Endpoints, HostName, HostNameSortOptions, HostNameType};
pub use ip_information::IpInformation;
pub use listener::{
    StreamSocketListener, StreamSocketListenerConnectionReceivedEventArgs, StreamSocketListenerInformation,
};
pub use stream_socket::{StreamSocket, StreamSocketInformation};
pub use tcp_info::{BandwidthStatistics, RoundTripTimeStatistics};
