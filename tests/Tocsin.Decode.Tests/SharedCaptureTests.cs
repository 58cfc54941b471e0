using Tocsin.Capture;
using Tocsin.Testing;

namespace Tocsin.Decode.Tests;

/// <summary>
/// Decodes every shared capture and compares the packets' 5-tuples (+ VLAN) with the flows ndpiReader 4.2 listed
/// for it (<c>ndpiReader -t</c>: tunnels stripped, later fragments dropped).
/// </summary>
public class SharedCaptureTests
{
    /// <summary>Flows ndpiReader lists that this decoder deliberately does not produce, and why.</summary>
    private static readonly Dictionary<string, string[]> NotProduced = new()
    {
        ["fuzz-2006-09-29-28586.pcap"] =
        [
            // Frame 34 has the fuzzed ethertype 0x0881: NonIp here, while ndpiReader decodes anything that looks like
            // IPv4 (spec/ndpi.md §11, item 14).
            "TCP 0 172.20.3.13:80 76.20.3.5:2602",
            // Frame 80: TCP data offset 10 (40 bytes) in a 20-byte segment, BadTcpHeaderLength.
            "TCP 0 170.170.170.170:43690 170.170.170.170:43690",
            // Frame 111: the IPv4 total length (35) leaves 15 bytes for the TCP header, TruncatedTcpHeader;
            // ndpiReader keeps the packet with ports 0.
            "TCP 0 172.20.3.13:0 172.20.3.5:0",
        ],
        ["fuzz-2021-10-13.pcap"] =
        [
            // The Null header's address family (0x6c002f00) is neither AF_INET nor AF_INET6: NonIp here, while
            // ndpiReader decodes any family but AF_INET as IPv6 (and prints the garbage address oddly).
            "TCP 0 302e::3d00::8001:0 3400:3a30:3035:2f75:706c:6f32:643f:6c3d:44288",
        ],
    };

    /// <summary>Malformed frames the captures really hold; every other capture must decode without any.</summary>
    private static readonly Dictionary<string, Dictionary<MalformedReason, long>> Malformed = new()
    {
        // A fuzzed capture. Frames 27 and 80: TCP data offset 40 in a 20-byte segment; frames 76 and 91: IP
        // versions 1 and 2 under ethertype IPv4; frame 111: IP total length 35 cuts the TCP header. Wireshark flags
        // all five as malformed or bogus too.
        ["fuzz-2006-09-29-28586.pcap"] = new()
        {
            [MalformedReason.BadTcpHeaderLength] = 2,
            [MalformedReason.BadIpv4Version] = 2,
            [MalformedReason.TruncatedTcpHeader] = 1,
        },
    };

    public static TheoryData<string> Captures() => new(SharedData.NdpiCaptures());

    private static (HashSet<string> Flows, DecodeStats Stats, List<DecodedPacket> Packets) DecodeCapture(string name, DecoderOptions? options = null)
    {
        var decoder = new PacketDecoder(options);
        var flows = new HashSet<string>();
        var packets = new List<DecodedPacket>();
        var p = new DecodedPacket();
        using var reader = CaptureFile.Open(SharedData.NdpiPcap(name));
        while (reader.TryReadNext(out var raw))
        {
            var result = decoder.Decode(raw.Data, raw.LinkType, raw.OriginalLength, ref p);
            packets.Add(p);
            // ndpiReader drops non-first fragments too.
            if (result == DecodeResult.Ip && !p.IsLaterFragment)
                flows.Add(NdpiFlow.MakeKey(p.Protocol, p.VlanId, p.Src.ToString(), p.SrcPort, p.Dst.ToString(), p.DstPort));
        }
        Assert.Equal(reader.PacketsRead, decoder.Stats.Frames);
        return (flows, decoder.Stats, packets);
    }

    private static HashSet<string> NdpiFlows(string name) => NdpiResult.Load(name).Flows.Select(f => f.Key).ToHashSet();

    [Theory]
    [MemberData(nameof(Captures))]
    public void FlowsAreThoseNdpiReaderListed(string capture)
    {
        var (ours, stats, _) = DecodeCapture(capture);
        var theirs = NdpiFlows(capture);
        Assert.NotEmpty(theirs);

        var expectedMissing = NotProduced.GetValueOrDefault(capture, []).Order(StringComparer.Ordinal);
        Assert.Equal(expectedMissing, theirs.Except(ours).Order(StringComparer.Ordinal));
        Assert.Empty(ours.Except(theirs));

        var expectedMalformed = Malformed.GetValueOrDefault(capture, []);
        Assert.Equal(expectedMalformed.OrderBy(kv => kv.Key), stats.MalformedReasons());
        Assert.Equal(expectedMalformed.Values.Sum(), stats.MalformedFrames);
    }

    [Theory]
    [InlineData("4in6tunnel.pcap", TunnelKind.IpInIp, 4)]
    [InlineData("6in4tunnel.pcap", TunnelKind.Ipv6InIp, 127)]
    [InlineData("6in6tunnel.pcap", TunnelKind.Ipv6InIp, 2)]
    [InlineData("ipv6_in_gtp.pcap", TunnelKind.GtpU, 2)]                     // QinQ, GTP-U, IPv6 (ESP and UDP)
    [InlineData("ja3_lots_of_cipher_suites_2_anon.pcap", TunnelKind.GtpU, 27)]
    [InlineData("tls_invalid_reads.pcap", TunnelKind.GtpU, 3)]               // 3 of 12 frames: QinQ, GTP-U, IPv4
    public void TunnelCapturesGiveTheInnerFlows(string capture, TunnelKind kind, int tunnelled)
    {
        var (ours, stats, packets) = DecodeCapture(capture);
        Assert.Equal(tunnelled, stats.Tunnels(kind));
        Assert.Equal(tunnelled, packets.Count(p => p.Tunnel == kind));
        Assert.Equal(NdpiFlows(capture).Order(StringComparer.Ordinal), ours.Order(StringComparer.Ordinal));

        // Without decapsulation the listed inner flows are lost: the tunnels are what makes them match.
        var (outer, outerStats, _) = DecodeCapture(capture, new DecoderOptions { DecapsulateTunnels = false });
        Assert.Equal(0, outerStats.Tunnels(kind));
        Assert.NotEmpty(NdpiFlows(capture).Except(outer));
    }

    [Fact]
    public void GtpOverQinQKeepsTheInnermostOuterVlan()
    {
        var (_, _, packets) = DecodeCapture("ipv6_in_gtp.pcap");
        // 802.1Q 3233 then 5, and 3231 then 2: ndpiReader shows [VLAN: 5] and [VLAN: 2].
        Assert.Equal([5, 2], packets.Select(p => (int)p.VlanId));
        Assert.Equal([IpProtocol.Udp, IpProtocol.Esp], packets.Select(p => p.Protocol));
        Assert.Equal(IpAddr.Parse("2607:fc20:4052:39e:490a:ea4d:17fe:e09c"), packets[0].Src);
        Assert.Equal(-1, packets[1].L4Offset); // ESP: no ports
    }

    [Fact]
    public void TeredoIsReportedAsOuterUdpByDefault()
    {
        var (ours, stats, _) = DecodeCapture("teredo.pcap");
        Assert.Equal(0, stats.Tunnels(TunnelKind.Teredo));
        Assert.Equal(NdpiFlows("teredo.pcap").Order(StringComparer.Ordinal), ours.Order(StringComparer.Ordinal));
    }

    [Fact]
    public void TeredoCanBeDecapsulated()
    {
        // Inner IPv6 pairs as Wireshark decodes them (behind authentication and origin indication headers).
        var (_, stats, packets) = DecodeCapture("teredo.pcap", new DecoderOptions { DecapsulateTeredo = true });
        Assert.Equal(24, stats.Tunnels(TunnelKind.Teredo));
        var pairs = packets
            .GroupBy(p => NdpiFlow.MakeKey(p.Protocol, 0, p.Src.ToString(), 0, p.Dst.ToString(), 0))
            .ToDictionary(g => g.Key, g => g.Count());
        var expected = new Dictionary<string, int>
        {
            [NdpiFlow.MakeKey(58, 0, "2001:0:c288:1c4c:20f3:359b:46f9:3f46", 0, "2002:c288:1c4c::c288:1c4c", 0)] = 6,
            [NdpiFlow.MakeKey(58, 0, "2001:0:c288:1c4c:20f3:359b:46f9:3f46", 0, "2002:c288:1c4c::c288:1c4d", 0)] = 6,
            [NdpiFlow.MakeKey(59, 0, "2001:0:c288:1c4c:20f3:359b:46f9:3f46", 0, "fe80::8000:f227:3d77:e3b3", 0)] = 2, // bubbles
            [NdpiFlow.MakeKey(58, 0, "fe80::8000:f227:3d77:e3b3", 0, "fe80::ffff:ffff:fffe", 0)] = 5,
            [NdpiFlow.MakeKey(58, 0, "fe80::ffff:ffff:fffe", 0, "ff02::2", 0)] = 5,
        };
        Assert.Equal(expected.OrderBy(kv => kv.Key, StringComparer.Ordinal), pairs.OrderBy(kv => kv.Key, StringComparer.Ordinal));
    }

    [Fact]
    public void FragmentsAreRecognised()
    {
        // dnscrypt-v1-and-resolver-pings.pcap: large DNS answers in 240 IPv4 fragments, 120 of them non-first
        // (tshark: ip.flags.mf == 1 || ip.frag_offset > 0, and ip.frag_offset > 0).
        var (_, stats, packets) = DecodeCapture("dnscrypt-v1-and-resolver-pings.pcap");
        Assert.Equal(240, stats.Fragments);
        Assert.Equal(120, stats.LaterFragments);
        Assert.All(packets.Where(p => p.IsLaterFragment), p => Assert.Equal((-1, 0, 0), (p.L4Offset, p.SrcPort, p.DstPort)));
    }

    [Theory]
    [InlineData("dos_win98_smb_netbeui.pcap", NonIpKind.Llc, 158, 158)] // NetBEUI and IPX over 802.2 (tshark: eth.len)
    [InlineData("skype.pcap", NonIpKind.Arp, 215, 215)]
    [InlineData("starcraft_battle.pcap", NonIpKind.Lldp, 1, 3)]           // and 2 ARP
    public void NonIpFramesAreClassified(string capture, NonIpKind kind, int count, int allNonIp)
    {
        var stats = DecodeCapture(capture).Stats;
        Assert.Equal(count, stats.NonIp(kind));
        Assert.Equal(allNonIp, stats.NonIpFrames);
    }
}
