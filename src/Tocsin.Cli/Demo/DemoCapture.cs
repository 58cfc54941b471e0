using System.Text;
using Tocsin.Capture;
using Tocsin.Decode;

namespace Tocsin.Cli.Demo;

/// <summary>
/// Builds the demo capture shipped in demo/demo.pcap: three and a half minutes of an office network (192.168.10.0/24) with
/// ordinary web and DNS traffic, a SYN scan of a local server (some ports refused, which nDPI names by port, a few
/// of them unsafe protocols), a remote-to-remote SIP exchange and a bulk upload that crosses the interface byte
/// threshold of demo/tocsin.yaml. Deterministic: the same bytes every time, so a test can prove the shipped file
/// comes from this code.
/// </summary>
public static class DemoCapture
{
    /// <summary>2026-01-05 09:00:00 UTC.</summary>
    public const long StartSeconds = 1_767_603_600;

    private static readonly IpAddr Workstation = IpAddr.Parse("192.168.10.21");
    private static readonly IpAddr Laptop = IpAddr.Parse("192.168.10.35");
    private static readonly IpAddr Scanner = IpAddr.Parse("192.168.10.66");
    private static readonly IpAddr FileServer = IpAddr.Parse("192.168.10.5");
    private static readonly IpAddr Resolver = IpAddr.Parse("192.168.10.1");
    private static readonly IpAddr WebServer = IpAddr.Parse("93.184.216.34");
    private static readonly IpAddr Backup = IpAddr.Parse("198.51.100.20");
    private static readonly IpAddr StrayA = IpAddr.Parse("203.0.113.9");
    private static readonly IpAddr StrayB = IpAddr.Parse("198.51.100.77");

    /// <summary>Ports the file server answers with a reset (closed) during the scan; the rest are filtered (no answer).</summary>
    public static IReadOnlyList<ushort> ClosedPorts { get; } = [21, 23, 25, 110, 143];

    /// <summary>Ports the file server accepts (SYN-ACK) during the scan.</summary>
    public static IReadOnlyList<ushort> OpenPorts { get; } = [22, 445];

    public const int ScannedPorts = 1024;

    public static void Write(Stream output)
    {
        var packets = new List<(long Ns, byte[] Frame)>();
        Browse(packets, Workstation, 50_001, at: 2.0);
        Browse(packets, Laptop, 50_101, at: 7.5);
        Dns(packets, Workstation, 53_001, at: 1.5);
        Dns(packets, Laptop, 53_002, at: 7.0);
        Scan(packets, at: 20.0);
        RemoteToRemote(packets, at: 40.0);
        Browse(packets, Workstation, 50_002, at: 70.0);
        Upload(packets, at: 125.0);
        Browse(packets, Laptop, 50_102, at: 200.0);

        packets.Sort((a, b) => a.Ns.CompareTo(b.Ns));
        using var writer = new PcapWriter(output, LinkType.Ethernet, leaveOpen: true);
        foreach (var (ns, frame) in packets)
            writer.Write(ns, frame);
    }

    private static long At(double seconds) => (StartSeconds * 1_000_000_000L) + (long)Math.Round(seconds * 1_000_000_000);

    private static void Add(List<(long, byte[])> packets, double at, byte[] frame) => packets.Add((At(at), frame));

    /// <summary>A complete HTTP exchange: handshake, request, response, FIN both ways.</summary>
    private static void Browse(List<(long, byte[])> p, IpAddr client, ushort port, double at)
    {
        const uint cs = 1000, ss = 5000;
        var request = "GET / HTTP/1.1\r\nHost: example.org\r\n\r\n"u8.ToArray();
        var response = new byte[1200];
        "HTTP/1.1 200 OK\r\nContent-Length: 1163\r\n\r\n"u8.CopyTo(response);
        Add(p, at, PacketBuilder.Tcp(client, port, WebServer, 80, TcpFlags.Syn, cs));
        Add(p, at + 0.020, PacketBuilder.Tcp(WebServer, 80, client, port, TcpFlags.Syn | TcpFlags.Ack, ss, cs + 1));
        Add(p, at + 0.021, PacketBuilder.Tcp(client, port, WebServer, 80, TcpFlags.Ack, cs + 1, ss + 1));
        Add(p, at + 0.022, PacketBuilder.Tcp(client, port, WebServer, 80, TcpFlags.Psh | TcpFlags.Ack, cs + 1, ss + 1, request));
        uint cAfter = cs + 1 + (uint)request.Length;
        Add(p, at + 0.045, PacketBuilder.Tcp(WebServer, 80, client, port, TcpFlags.Psh | TcpFlags.Ack, ss + 1, cAfter, response));
        uint sAfter = ss + 1 + (uint)response.Length;
        Add(p, at + 0.046, PacketBuilder.Tcp(client, port, WebServer, 80, TcpFlags.Fin | TcpFlags.Ack, cAfter, sAfter));
        Add(p, at + 0.066, PacketBuilder.Tcp(WebServer, 80, client, port, TcpFlags.Fin | TcpFlags.Ack, sAfter, cAfter + 1));
        Add(p, at + 0.067, PacketBuilder.Tcp(client, port, WebServer, 80, TcpFlags.Ack, cAfter + 1, sAfter + 1));
    }

    private static void Dns(List<(long, byte[])> p, IpAddr client, ushort port, double at)
    {
        byte[] query = [0x12, 0x34, 0x01, 0x00, 0, 1, 0, 0, 0, 0, 0, 0, 7, (byte)'e', (byte)'x', (byte)'a', (byte)'m', (byte)'p', (byte)'l', (byte)'e', 3, (byte)'o', (byte)'r', (byte)'g', 0, 0, 1, 0, 1];
        var answer = new byte[query.Length + 16];
        query.CopyTo(answer, 0);
        answer[2] = 0x81;
        answer[3] = 0x80;
        answer[7] = 1;
        byte[] record = [0xC0, 0x0C, 0, 1, 0, 1, 0, 0, 0x0E, 0x10, 0, 4, 93, 184, 216, 34];
        record.CopyTo(answer, query.Length);
        Add(p, at, PacketBuilder.Udp(client, port, Resolver, 53, query));
        Add(p, at + 0.004, PacketBuilder.Udp(Resolver, 53, client, port, answer));
    }

    /// <summary>
    /// 1024 SYNs in under three seconds from one source port, as nmap -sS does: most ports are filtered (no answer),
    /// a few closed ones answer RST, two open ones answer SYN-ACK and the scanner resets them.
    /// </summary>
    private static void Scan(List<(long, byte[])> p, double at)
    {
        const ushort sourcePort = 61_234;
        const uint seq = 0x5CA7_0001;
        for (int i = 0; i < ScannedPorts; i++)
        {
            ushort port = (ushort)(i + 1);
            double t = at + (i * 0.0025);
            Add(p, t, PacketBuilder.Tcp(Scanner, sourcePort, FileServer, port, TcpFlags.Syn, seq, window: 1024));
            if (ClosedPorts.Contains(port))
            {
                Add(p, t + 0.0004, PacketBuilder.Tcp(FileServer, port, Scanner, sourcePort, TcpFlags.Rst | TcpFlags.Ack, 0, seq + 1, window: 0));
            }
            else if (OpenPorts.Contains(port))
            {
                Add(p, t + 0.0004, PacketBuilder.Tcp(FileServer, port, Scanner, sourcePort, TcpFlags.Syn | TcpFlags.Ack, 77_000, seq + 1));
                Add(p, t + 0.0006, PacketBuilder.Tcp(Scanner, sourcePort, FileServer, port, TcpFlags.Rst, seq + 1, window: 0));
            }
        }
    }

    /// <summary>Two outside hosts exchanging SIP across the sensor: traffic that should not pass this network.</summary>
    private static void RemoteToRemote(List<(long, byte[])> p, double at)
    {
        var options = Encoding.ASCII.GetBytes(
            "OPTIONS sip:pbx@198.51.100.77 SIP/2.0\r\nVia: SIP/2.0/UDP 203.0.113.9:40000\r\nFrom: <sip:probe@203.0.113.9>;tag=1\r\n" +
            "To: <sip:pbx@198.51.100.77>\r\nCall-ID: 42@203.0.113.9\r\nCSeq: 1 OPTIONS\r\nContent-Length: 0\r\n\r\n");
        var ok = Encoding.ASCII.GetBytes(
            "SIP/2.0 200 OK\r\nVia: SIP/2.0/UDP 203.0.113.9:40000\r\nFrom: <sip:probe@203.0.113.9>;tag=1\r\n" +
            "To: <sip:pbx@198.51.100.77>;tag=2\r\nCall-ID: 42@203.0.113.9\r\nCSeq: 1 OPTIONS\r\nContent-Length: 0\r\n\r\n");
        for (int i = 0; i < 4; i++)
        {
            Add(p, at + i * 0.5, PacketBuilder.Udp(StrayA, 40_000, StrayB, 5060, options));
            Add(p, at + i * 0.5 + 0.03, PacketBuilder.Udp(StrayB, 5060, StrayA, 40_000, ok));
        }
    }

    /// <summary>About 720 KB sent to an outside backup host within one minute, crossing `interface_bytes: min: gt 500K`.</summary>
    private static void Upload(List<(long, byte[])> p, double at)
    {
        const ushort port = 51_515;
        const uint cs = 7_000_000, ss = 9_000_000;
        var chunk = new byte[1448];
        for (int i = 0; i < chunk.Length; i++)
            chunk[i] = (byte)(i * 31);
        Add(p, at, PacketBuilder.Tcp(Laptop, port, Backup, 443, TcpFlags.Syn, cs));
        Add(p, at + 0.03, PacketBuilder.Tcp(Backup, 443, Laptop, port, TcpFlags.Syn | TcpFlags.Ack, ss, cs + 1));
        Add(p, at + 0.031, PacketBuilder.Tcp(Laptop, port, Backup, 443, TcpFlags.Ack, cs + 1, ss + 1));
        uint seq = cs + 1;
        for (int i = 0; i < 480; i++)
        {
            double t = at + 0.05 + i * 0.04;
            Add(p, t, PacketBuilder.Tcp(Laptop, port, Backup, 443, TcpFlags.Ack | TcpFlags.Psh, seq, ss + 1, chunk));
            seq += (uint)chunk.Length;
            if (i % 2 == 1)
                Add(p, t + 0.02, PacketBuilder.Tcp(Backup, 443, Laptop, port, TcpFlags.Ack, ss + 1, seq));
        }
        double end = at + 0.05 + 480 * 0.04;
        Add(p, end, PacketBuilder.Tcp(Laptop, port, Backup, 443, TcpFlags.Fin | TcpFlags.Ack, seq, ss + 1));
        Add(p, end + 0.03, PacketBuilder.Tcp(Backup, 443, Laptop, port, TcpFlags.Fin | TcpFlags.Ack, ss + 1, seq + 1));
        Add(p, end + 0.031, PacketBuilder.Tcp(Laptop, port, Backup, 443, TcpFlags.Ack, seq + 1, ss + 2));
    }
}
