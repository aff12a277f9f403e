// The second C++/WinRT sample of examples/README.md (plain connect, a length-prefixed hello with
// DataWriter, then UpgradeToSslAsync with SocketProtectionLevel::Tls12), with the token `winrt`
// replaced by `netrt` and nothing else changed except the two literals the porting rule
// (docs/projections.md) lets tests replace:
// "www.contoso.com" -> "localhost" and L"https" -> the port of a local Python `ssl` peer that
// reads the hello in plaintext, then does the TLS handshake (certificate from a throwaway CA
// trusted through SSL_CERT_FILE). The lines between the SAMPLE markers are the sample.

// ---- SAMPLE BEGIN (head) ----
#include <netrt/Windows.Networking.Sockets.h>
#include <netrt/Windows.Storage.Streams.h>

using namespace netrt;
using namespace Windows::Storage::Streams;
// ---- SAMPLE END (head); the sample's "..." elides the enclosing function ----

#include <cstdlib>

#include "sample_support.hpp"

netrt::IAsyncAction UpgradeSample()
{
// ---- SAMPLE BEGIN (body) ----
    // Define some variables, and set values.
    Windows::Networking::Sockets::StreamSocket clientSocket;

    Windows::Networking::HostName serverHost{ L"localhost" };
    netrt::hstring serverServiceName{ g_port };

    // For simplicity, the sample omits implementation of the
    // NotifyUser method used to display status and error messages. 

    // Try to connect to the server using HTTP (port 80).
    try
    {
        co_await clientSocket.ConnectAsync(serverHost, serverServiceName, Windows::Networking::Sockets::SocketProtectionLevel::PlainSocket);
        NotifyUser(L"Connected");
    }
    catch (netrt::hresult_error const& exception)
    {
        NotifyUser(L"Connect failed with error: " + exception.message());
        clientSocket = nullptr;
    }

    // Now, try to send some data.
    DataWriter writer{ clientSocket.OutputStream() };
    netrt::hstring hello{ L"Hello, World! ☺ " };
    uint32_t len{ writer.MeasureString(hello) }; // Gets the size of the string, in bytes.
    writer.WriteInt32(len);
    writer.WriteString(hello);
    NotifyUser(L"Client: sending hello");

    try
    {
        co_await writer.StoreAsync();
        NotifyUser(L"Client: sent hello");

        writer.DetachStream(); // Detach the stream when you want to continue using it; otherwise, the DataWriter destructor closes it.
    }
    catch (netrt::hresult_error const& exception)
    {
        NotifyUser(L"Store failed with error: " + exception.message());
        // We could retry the store operation. But, for this simple example, just close the socket by setting it to nullptr.
        clientSocket = nullptr;
        co_return;
    }

    // Now, upgrade the client to use SSL.
    try
    {
        co_await clientSocket.UpgradeToSslAsync(Windows::Networking::Sockets::SocketProtectionLevel::Tls12, serverHost);
        NotifyUser(L"Client: upgrade to SSL completed");

        // Add code to send and receive data using the clientSocket,
        // then set the clientSocket to nullptr when done to close it.
    }
    catch (netrt::hresult_error const& exception)
    {
        // If this is an unknown status, then the error is fatal and retry will likely fail.
        Windows::Networking::Sockets::SocketErrorStatus socketErrorStatus{ Windows::Networking::Sockets::SocketError::GetStatus(exception.to_abi()) };
        if (socketErrorStatus == Windows::Networking::Sockets::SocketErrorStatus::Unknown)
        {
            throw;
        }

        NotifyUser(L"Upgrade to SSL failed with error: " + exception.message());
        // We could retry the store operation. But for this simple example, just close the socket by setting it to nullptr.
        clientSocket = nullptr;
        co_return;
    }
// ---- SAMPLE END (body) ----

    // The test's own addition: talk over the upgraded (TLS) connection.
    co_await sample_support::ExchangeWithStartTlsPeer(clientSocket);
    clientSocket = nullptr;
}

int main()
{
    return sample_support::RunUpgradeSample(&UpgradeSample);
}
