// The first C++/WinRT sample of examples/README.md (ConnectAsync with
// SocketProtectionLevel::Tls12), with the token `winrt` replaced by `netrt` and nothing else
// changed except the two literals the porting rule (docs/projections.md) lets tests replace: "www.contoso.com" -> "localhost" and L"https" -> the port of a local
// `openssl s_server` (certificate from a throwaway CA trusted through SSL_CERT_FILE). The lines
// between the SAMPLE markers are the sample; the rest is the test around it.

// ---- SAMPLE BEGIN (head) ----
#include <netrt/Windows.Networking.Sockets.h>

using namespace netrt;
// ---- SAMPLE END (head); the sample's "..." elides the enclosing function ----

#include <cstdlib>

#include "sample_support.hpp"

netrt::IAsyncAction ConnectSample()
{
// ---- SAMPLE BEGIN (body) ----
    // Define some variables, and set values.
    Windows::Networking::Sockets::StreamSocket clientSocket;

    Windows::Networking::HostName serverHost{ L"localhost" };
    netrt::hstring serverServiceName{ g_port };

    // For simplicity, the sample omits implementation of the
    // NotifyUser method used to display status and error messages.

    // Try to connect to the server using HTTPS and SSL (port 443).
    try
    {
        co_await clientSocket.ConnectAsync(serverHost, serverServiceName, Windows::Networking::Sockets::SocketProtectionLevel::Tls12);
        NotifyUser(L"Connected");
    }
    catch (netrt::hresult_error const& exception)
    {
        NotifyUser(L"Connect failed with error: " + exception.message());
        clientSocket = nullptr;
    }
    // Add code to send and receive data using the clientSocket,
    // then set the clientSocket to nullptr when done to close it.
// ---- SAMPLE END (body) ----

    // The test's own addition where the sample says "Add code to send and receive data".
    co_await sample_support::ExchangeWithOpensslServer(clientSocket);
    clientSocket = nullptr;
}

int main()
{
    return sample_support::RunTlsConnectSample(&ConnectSample);
}
