//! The WebSocket enums.

winrt_enum! {
    /// `Windows.Networking.Sockets.SocketMessageType`: how a WebSocket message's bytes are meant.
    #[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Default)]
    pub enum SocketMessageType {
        /// Binary data (the default).
        #[default]
        Binary = 0,
        /// UTF-8 text.
        Utf8 = 1,
    }
}

winrt_enum! {
    /// `Windows.Networking.Sockets.MessageWebSocketReceiveMode`: whether MessageReceived waits
    /// for whole messages.
    #[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Default)]
    pub enum MessageWebSocketReceiveMode {
        /// One MessageReceived per complete message (the default).
        #[default]
        FullMessage = 0,
        /// MessageReceived may carry part of a message; IsMessageComplete marks the last part.
        PartialMessage = 1,
    }
}
