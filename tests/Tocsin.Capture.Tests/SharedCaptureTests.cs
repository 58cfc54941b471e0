using System.Globalization;
using Tocsin.Testing;

namespace Tocsin.Capture.Tests;

/// <summary>The real captures in the shared nDPI folder, checked against its README table and against tshark.</summary>
public sealed class SharedCaptureTests
{
    private const string TruncatedCapture = "fuzz-2021-10-13.pcap";

    private static readonly Lazy<IReadOnlyList<ReadmeRow>> readme = new(ParseReadme);

    private sealed record ReadmeRow(string File, long Bytes, CaptureFormat Format, LinkType LinkType, long Packets);

    public static TheoryData<string> ReadmeCaptures() => new(readme.Value.Select(row => row.File));

    [Fact]
    public void ReadmeTableListsEveryCaptureOnce()
    {
        var listed = readme.Value.Select(row => row.File).ToList();
        Assert.Equal(listed.Count, listed.Distinct().Count());
        Assert.Equal(SharedData.NdpiCaptures().Order(StringComparer.Ordinal), listed.Order(StringComparer.Ordinal));
    }

    [Theory]
    [MemberData(nameof(ReadmeCaptures))]
    public void CaptureMatchesReadmeTable(string file)
    {
        var row = readme.Value.Single(r => r.File == file);
        var path = SharedData.NdpiPcap(file);
        using var reader = CaptureFile.Open(path);

        Assert.Equal(row.Format, reader.Format);
        Assert.Equal(row.Bytes, reader.Length);
        var packets = CapturedPacket.ReadAll(reader);
        Assert.Equal(row.Packets, packets.Count);
        Assert.All(packets, p => Assert.Equal(row.LinkType, p.LinkType));
        Assert.All(packets, p => Assert.True(p.TimestampNs > 0));
        Assert.Equal(packets.Select(p => p.FileOffset).Order(), packets.Select(p => p.FileOffset));
        if (file == TruncatedCapture)
        {
            Assert.NotNull(reader.Error);
        }
        else
        {
            Assert.Null(reader.Error);
            Assert.Equal(reader.Length, reader.Position);
            Assert.All(packets, p => Assert.True(p.Data.Length <= p.OriginalLength));
        }
    }

    /// <summary>Both larger than the 1 MiB read buffer, so reading refills it.</summary>
    [Theory]
    [InlineData("instagram.pcap", CaptureFormat.Pcap, 3443)]
    [InlineData("quic-33.pcapng", CaptureFormat.PcapNg, 992)]
    public void ReadingAWholeCaptureDoesNotAllocate(string file, CaptureFormat format, int expectedPackets)
    {
        var path = SharedData.NdpiPcap(file);
        using (var warmUp = CaptureFile.Open(path)) // JIT, static initialisers
        {
            while (warmUp.TryReadNext(out _))
            {
            }
        }
        using var reader = CaptureFile.Open(path);
        Assert.Equal(format, reader.Format);

        int packets = 0;
        long before = GC.GetAllocatedBytesForCurrentThread();
        while (reader.TryReadNext(out _))
            packets++;
        long allocated = GC.GetAllocatedBytesForCurrentThread() - before;

        Assert.Equal(0, allocated);
        Assert.Equal(expectedPackets, packets);
        Assert.Null(reader.Error);
    }

    [Fact]
    public void TruncatedFuzzCaptureYieldsItsOnlyWholePacket()
    {
        using var reader = CaptureFile.Open(SharedData.NdpiPcap(TruncatedCapture));
        var packets = CapturedPacket.ReadAll(reader);

        // Version 2.0 header: len comes before caplen, so the record's first length field (524501) is the wire length.
        var packet = Assert.Single(packets);
        Assert.Equal(197, packet.Data.Length);
        Assert.Equal(524501, packet.OriginalLength);
        Assert.Equal(24, packet.FileOffset);
        // The link-type field is 0x40000000: FCS bits over DLT_NULL.
        Assert.Equal(LinkType.Null, packet.LinkType);

        // 239 bytes: 24 header + 16 record header + 197 data leave 2 bytes of a record header at 237.
        Assert.NotNull(reader.Error);
        Assert.Equal(237, reader.Error.Offset);
        Assert.Equal("truncated record header: 2 of 16 bytes", reader.Error.Reason);
        Assert.Equal(SharedData.NdpiPcap(TruncatedCapture), reader.Error.Path);
        Assert.Equal(237, reader.Position);
    }

    // Expected values are what `tshark -r FILE -c 1 -T fields -e frame.time_epoch` printed, as seconds and nanoseconds.
    [Theory]
    [InlineData("1kxun.pcap", 1470104373L, 025824000L)] // pcapng, if_tsresol 10^-6
    [InlineData("doq.pcapng", 1606056093L, 199591961L)] // pcapng, if_tsresol 10^-9
    [InlineData("quic-fuzz-overflow.pcapng", 1633957625L, 0L)] // pcapng, no if_tsresol, raw IPv4
    [InlineData("rtsp.pcap", 1627567277L, 506127000L)] // pcapng named .pcap, Linux SLL
    [InlineData("KakaoTalk_chat.pcap", 1430069021L, 959113000L)]
    [InlineData("fuzz-2006-09-29-28586.pcap", 1031854484L, 481540000L)] // big-endian pcap
    [InlineData("nats.pcap", 1586288040L, 558498000L)]
    [InlineData("443-chrome.pcap", 1581109434L, 258190000L)]
    // tshark prints "980658802.1882137472": the nanosecond field (1882137472) exceeds a second and is kept as is.
    [InlineData(TruncatedCapture, 980658802L, 1882137472L)]
    public void FirstTimestampMatchesTshark(string file, long seconds, long nanoseconds)
    {
        using var reader = CaptureFile.Open(SharedData.NdpiPcap(file));
        Assert.True(reader.TryReadNext(out var packet));
        Assert.Equal(seconds * 1_000_000_000 + nanoseconds, packet.TimestampNs);
    }

    [Fact]
    public void InterfacesOfOneSectionKeepTheirOwnResolution()
    {
        // z3950.pcapng has two interfaces: 0 with the µs default, 1 with if_tsresol 10^-9. tshark shows frames 1 and 16.
        var packets = CapturedPacket.ReadAll(SharedData.NdpiPcap("z3950.pcapng"));

        Assert.Equal(0, packets[0].InterfaceId);
        Assert.Equal(1623680697_296098000L, packets[0].TimestampNs);
        Assert.Equal(1, packets[15].InterfaceId);
        Assert.Equal(1625070123_680497019L, packets[15].TimestampNs);
        Assert.Equal(15, packets.Count(p => p.InterfaceId == 0));
        Assert.Equal(16, packets.Count(p => p.InterfaceId == 1));
    }

    // Totals of frame.cap_len and frame.len over the whole file, from tshark.
    [Theory]
    [InlineData("1kxun.pcap", 1439, 629825L, 629825L)]
    [InlineData("z3950.pcapng", 31, 6308L, 6308L)]
    [InlineData("rtsp.pcap", 568, 100872L, 100872L)]
    [InlineData("KakaoTalk_chat.pcap", 347, 71936L, 71936L)]
    [InlineData("fuzz-2006-09-29-28586.pcap", 131, 33626L, 33626L)]
    [InlineData("http-crash-content-disposition.pcap", 9, 3328L, 3328L)]
    public void ByteTotalsMatchTshark(string file, int packetCount, long capturedBytes, long wireBytes)
    {
        var packets = CapturedPacket.ReadAll(SharedData.NdpiPcap(file));
        Assert.Equal(packetCount, packets.Count);
        Assert.Equal(capturedBytes, packets.Sum(p => (long)p.Data.Length));
        Assert.Equal(wireBytes, packets.Sum(p => (long)p.OriginalLength));
    }

    [Fact]
    public void PacketDataIsTheFrameOnFile()
    {
        // 443-chrome.pcap holds one Ethernet frame right after the two headers; compare with the raw file bytes.
        var path = SharedData.NdpiPcap("443-chrome.pcap");
        var bytes = File.ReadAllBytes(path);
        var packet = Assert.Single(CapturedPacket.ReadAll(path));
        Assert.Equal(bytes.AsSpan(40, 1506).ToArray(), packet.Data);
    }

    /// <summary>Rows of the README's capture table: | file | bytes | format | linktype | packets | ...</summary>
    private static IReadOnlyList<ReadmeRow> ParseReadme()
    {
        var rows = new List<ReadmeRow>();
        foreach (var line in File.ReadLines(Path.Combine(SharedData.Root, "pcaps", "ndpi", "README.md")))
        {
            var cells = line.Split('|', StringSplitOptions.TrimEntries);
            if (cells.Length < 7 || !cells[1].Contains(".pcap", StringComparison.Ordinal))
                continue;
            var format = cells[3] switch
            {
                "pcap" => CaptureFormat.Pcap,
                "pcapng" => CaptureFormat.PcapNg,
                _ => throw new FormatException($"README row for {cells[1]}: unknown format '{cells[3]}'"),
            };
            rows.Add(new ReadmeRow(
                cells[1],
                long.Parse(cells[2], NumberStyles.AllowThousands, CultureInfo.InvariantCulture),
                format,
                (LinkType)ushort.Parse(cells[4], CultureInfo.InvariantCulture),
                long.Parse(cells[5], CultureInfo.InvariantCulture)));
        }
        Assert.NotEmpty(rows);
        return rows;
    }
}
