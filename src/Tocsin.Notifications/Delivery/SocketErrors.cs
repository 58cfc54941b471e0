using System.Net.Sockets;

namespace Tocsin.Notifications;

/// <summary>Socket errors in the words delivery reasons use (the same for every endpoint, never with an address).</summary>
public static class SocketErrors
{
    public static string Describe(SocketError error) => error switch
    {
        SocketError.ConnectionRefused => "connection refused",
        SocketError.ConnectionReset => "connection reset",
        SocketError.Shutdown or SocketError.Disconnecting or SocketError.NotConnected => "connection closed",
        SocketError.HostNotFound or SocketError.TryAgain or SocketError.NoData => "host name not found",
        SocketError.HostUnreachable or SocketError.NetworkUnreachable => "host unreachable",
        SocketError.TimedOut => "connection timed out",
        // What a connect to a missing local socket file reports on Linux (ENOENT).
        SocketError.AddressNotAvailable => "no such socket",
        SocketError.AccessDenied => "permission denied",
        SocketError.MessageSize => "message too long for the socket",
        _ => "socket error " + error.ToString(),
    };
}
