using System.Buffers.Binary;
using System.Security.Cryptography;
using System.Text;

namespace Tocsin.Ndpi.Tests;

/// <summary>
/// No shared capture carries an SSH key exchange, so one is built here: banners both ways, then each side's
/// KEXINIT. HASSH is the MD5 of "kex;encryption;mac;compression" as the client (or server) listed them.
/// </summary>
public class SshTests
{
    private const string ClientBanner = "SSH-2.0-OpenSSH_9.2p1 Debian-2+deb12u3";
    private const string ServerBanner = "SSH-2.0-OpenSSH_8.4p1 Debian-5+deb11u3";

    private static readonly string[] ClientLists =
    [
        "curve25519-sha256,ecdh-sha2-nistp256,diffie-hellman-group14-sha256", // kex
        "ssh-ed25519,rsa-sha2-512",                                            // host key
        "chacha20-poly1305@openssh.com,aes128-ctr",                            // encryption c2s
        "chacha20-poly1305@openssh.com,aes128-ctr",                            // encryption s2c
        "umac-64-etm@openssh.com,hmac-sha2-256",                               // mac c2s
        "umac-64-etm@openssh.com,hmac-sha2-256",                               // mac s2c
        "none,zlib@openssh.com",                                               // compression c2s
        "none,zlib@openssh.com",                                               // compression s2c
    ];

    private static readonly string[] ServerLists =
    [
        "curve25519-sha256,diffie-hellman-group16-sha512",
        "rsa-sha2-512,ecdsa-sha2-nistp256",
        "aes256-gcm@openssh.com,aes128-ctr",
        "aes256-ctr,aes128-ctr",
        "hmac-sha2-512,hmac-sha2-256",
        "hmac-sha2-256-etm@openssh.com,hmac-sha2-256",
        "none",
        "none,zlib@openssh.com",
    ];

    /// <summary>An SSH binary packet holding SSH_MSG_KEXINIT with the given name-lists (and empty language lists).</summary>
    private static byte[] KexInit(string[] lists)
    {
        var payload = new List<byte> { 20 };
        payload.AddRange(new byte[16]); // cookie
        foreach (var list in lists.Concat(["", ""]))
        {
            var bytes = Encoding.ASCII.GetBytes(list);
            var length = new byte[4];
            BinaryPrimitives.WriteUInt32BigEndian(length, (uint)bytes.Length);
            payload.AddRange(length);
            payload.AddRange(bytes);
        }
        payload.AddRange(new byte[5]); // first_kex_packet_follows, reserved
        int padding = 8 - (5 + payload.Count) % 8 + 8;
        var packet = new byte[4 + 1 + payload.Count + padding];
        BinaryPrimitives.WriteUInt32BigEndian(packet, (uint)(1 + payload.Count + padding));
        packet[4] = (byte)padding;
        payload.CopyTo(packet, 5);
        return packet;
    }

    /// <summary>HASSH as nDPI writes it (upper-case hex).</summary>
    private static string Hassh(string[] lists, bool client) =>
        Convert.ToHexString(MD5.HashData(Encoding.ASCII.GetBytes(
            string.Join(';', lists[0], lists[client ? 2 : 3], lists[client ? 4 : 5], lists[client ? 6 : 7]))));

    [Fact]
    public void Banners_and_hassh_are_read_from_the_key_exchange()
    {
        using var inspector = new NdpiInspector();
        var c = new Conversation(inspector, "192.168.1.20", 50022, "192.168.1.10", 22);
        c.Handshake();
        c.Data(fromClient: true, Encoding.ASCII.GetBytes(ClientBanner + "\r\n"));
        c.Data(fromClient: false, Encoding.ASCII.GetBytes(ServerBanner + "\r\n"));
        c.Data(fromClient: true, KexInit(ClientLists));
        c.Data(fromClient: false, KexInit(ServerLists));
        c.Data(fromClient: true, new byte[48]); // encrypted from here on

        var app = c.Application;
        Assert.NotNull(app);
        // Detection ends with the server's KEXINIT: nDPI wanted both fingerprints.
        Assert.Equal(7, c.DetectedAtPacket);
        Assert.Equal("SSH", app.ProtocolName);
        Assert.Equal(ClientBanner, app.HostName); // as ndpiReader shows SSH flows
        Assert.Equal(new NdpiSsh
        {
            ClientBanner = ClientBanner,
            ServerBanner = ServerBanner,
            HasshClient = Hassh(ClientLists, client: true),
            HasshServer = Hassh(ServerLists, client: false),
        }, app.Ssh);
        Assert.Null(app.Tls);
        Assert.Null(app.Http);
        Assert.Null(app.Dns);
        Assert.Equal(0, inspector.LiveNativeFlows);
    }
}
