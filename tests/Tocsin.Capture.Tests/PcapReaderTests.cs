using Tocsin.Testing;

namespace Tocsin.Capture.Tests;

/// <summary>Classic pcap variants, built byte by byte.</summary>
public sealed class PcapReaderTests : IDisposable
{
    private readonly TempDirectory temp = new();

    public void Dispose() => temp.Dispose();

    [Theory]
    [InlineData(PcapFileBuilder.MicrosecondMagic, false, 1000L)]
    [InlineData(PcapFileBuilder.MicrosecondMagic, true, 1000L)]
    [InlineData(PcapFileBuilder.NanosecondMagic, false, 1L)]
    [InlineData(PcapFileBuilder.NanosecondMagic, true, 1L)]
    [InlineData(PcapFileBuilder.ModifiedMagic, false, 1000L)]
    [InlineData(PcapFileBuilder.ModifiedMagic, true, 1000L)]
    public void ReadsEveryMagicInBothByteOrders(uint magic, bool bigEndian, long nanosecondsPerFraction)
    {
        var file = new PcapFileBuilder(magic, bigEndian, linkType: 113);
        var first = file.Record(1_600_000_000, 999_999, CapturedPacket.Frame(60, 1), originalLength: 64);
        var second = file.Record(1_600_000_001, 5, CapturedPacket.Frame(1514, 2));

        using var reader = Open(file);
        var packets = CapturedPacket.ReadAll(reader);

        Assert.Equal(2, packets.Count);
        Assert.Equal(1_600_000_000L * 1_000_000_000 + 999_999 * nanosecondsPerFraction, packets[0].TimestampNs);
        Assert.Equal(1_600_000_001L * 1_000_000_000 + 5 * nanosecondsPerFraction, packets[1].TimestampNs);
        Assert.Equal(CapturedPacket.Frame(60, 1), packets[0].Data);
        Assert.Equal(CapturedPacket.Frame(1514, 2), packets[1].Data);
        Assert.Equal([64, 1514], packets.Select(p => p.OriginalLength));
        Assert.Equal([first, second], packets.Select(p => p.FileOffset));
        Assert.Equal(first + file.RecordHeaderLength + 60, second);
        Assert.All(packets, p => Assert.Equal(LinkType.LinuxSll, p.LinkType));
        Assert.Null(reader.Error);
        Assert.Equal(file.Length, reader.Position);
    }

    [Theory]
    [InlineData(2, 0)]
    [InlineData(2, 1)]
    [InlineData(2, 2)]
    [InlineData(543, 0)]
    public void OldVersionsAlwaysSwapTheLengthFields(int major, int minor)
    {
        var file = new PcapFileBuilder(versionMajor: (ushort)major, versionMinor: (ushort)minor);
        file.Record(1, 0, CapturedPacket.Frame(60, 1), originalLength: 1514, lengthsSwapped: true);
        // Swapped even where caplen equals len or the fields look plausible the other way round.
        file.Record(2, 0, CapturedPacket.Frame(100, 2), originalLength: 100, lengthsSwapped: true);
        file.Record(3, 0, CapturedPacket.Frame(200, 3), originalLength: 50, lengthsSwapped: true);

        var packets = ReadAll(file);
        Assert.Equal([60, 100, 200], packets.Select(p => p.Data.Length));
        Assert.Equal([1514, 100, 50], packets.Select(p => p.OriginalLength));
        Assert.Equal(CapturedPacket.Frame(200, 3), packets[2].Data);
    }

    [Fact]
    public void Version23SwapsOnlyWhereCaplenWouldExceedLen()
    {
        var file = new PcapFileBuilder(versionMajor: 2, versionMinor: 3);
        file.Record(1, 0, CapturedPacket.Frame(60, 1), originalLength: 1514, lengthsSwapped: true);
        file.Record(2, 0, CapturedPacket.Frame(80, 2), originalLength: 1514);

        var packets = ReadAll(file);
        Assert.Equal([60, 80], packets.Select(p => p.Data.Length));
        Assert.Equal([1514, 1514], packets.Select(p => p.OriginalLength));
        Assert.Equal(CapturedPacket.Frame(80, 2), packets[1].Data);
    }

    [Fact]
    public void Version24NeverSwaps()
    {
        var file = new PcapFileBuilder();
        file.Record(1, 0, CapturedPacket.Frame(100, 1), originalLength: 60);

        var packet = Assert.Single(ReadAll(file));
        Assert.Equal(CapturedPacket.Frame(100, 1), packet.Data);
        Assert.Equal(60, packet.OriginalLength);
    }

    [Theory]
    [InlineData(0x00000001u, LinkType.Ethernet)]
    [InlineData(0x24000001u, LinkType.Ethernet)] // FCS present (bit 26), 2 × 16 bits long (bits 28-31)
    [InlineData(0xFC000065u, LinkType.Raw)] // all six upper bits set
    [InlineData(0x40000000u, LinkType.Null)]
    public void LinkTypeFieldLosesItsFcsBits(uint field, LinkType expected)
    {
        var file = new PcapFileBuilder(linkType: field);
        file.Record(1, 0, CapturedPacket.Frame(20, 1));

        Assert.Equal(expected, Assert.Single(ReadAll(file)).LinkType);
    }

    [Fact]
    public void ReservedLinkTypeBitsAreNotACapture()
    {
        var file = new PcapFileBuilder(linkType: 0x00010001);
        var error = Assert.Throws<CaptureFormatException>(() => Open(file));
        Assert.Equal(20, error.Offset);
        Assert.Contains("0x00010001", error.Reason, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData(1, 0)]
    [InlineData(2, 5)]
    [InlineData(3, 0)]
    public void UnsupportedVersionsAreNotACapture(int major, int minor)
    {
        var file = new PcapFileBuilder(versionMajor: (ushort)major, versionMinor: (ushort)minor);
        var error = Assert.Throws<CaptureFormatException>(() => Open(file));
        Assert.Equal($"unsupported pcap version {major}.{minor}", error.Reason);
    }

    [Fact]
    public void HeaderOnlyFileHasNoPacketsAndNoError()
    {
        using var reader = Open(new PcapFileBuilder());
        Assert.Empty(CapturedPacket.ReadAll(reader));
        Assert.Null(reader.Error);
        Assert.Equal(24, reader.Position);
    }

    [Fact]
    public void ShortFileHeaderIsNotACapture()
    {
        var bytes = new PcapFileBuilder().ToArray()[..10];
        var path = temp.File("short.pcap");
        File.WriteAllBytes(path, bytes);

        var error = Assert.Throws<CaptureFormatException>(() => CaptureFile.Open(path));
        Assert.Equal(0, error.Offset);
        Assert.Equal("truncated pcap file header: 10 of 24 bytes", error.Reason);
        Assert.Equal(path, error.Path);
    }

    [Theory]
    [InlineData(PcapFileBuilder.MicrosecondMagic, 16)]
    [InlineData(PcapFileBuilder.ModifiedMagic, 24)]
    public void TruncatedRecordHeaderStopsWithItsOffset(uint magic, int headerLength)
    {
        var file = new PcapFileBuilder(magic);
        file.Record(1, 0, CapturedPacket.Frame(60, 1));
        file.Record(2, 0, CapturedPacket.Frame(70, 2));
        var broken = file.Append(new byte[10]);

        using var reader = Open(file);
        var packets = CapturedPacket.ReadAll(reader);

        Assert.Equal([CapturedPacket.Frame(60, 1), CapturedPacket.Frame(70, 2)], packets.Select(p => p.Data));
        Assert.Equal(2, reader.PacketsRead);
        Assert.NotNull(reader.Error);
        Assert.Equal(broken, reader.Error.Offset);
        Assert.Equal($"truncated record header: 10 of {headerLength} bytes", reader.Error.Reason);
        Assert.Equal(broken, reader.Position);
    }

    [Fact]
    public void TruncatedPacketDataStopsWithItsOffset()
    {
        var file = new PcapFileBuilder();
        file.Record(1, 0, CapturedPacket.Frame(60, 1));
        var broken = file.RecordHeader(2, 0, 1514, 1514);
        file.Append(CapturedPacket.Frame(200, 2));

        using var reader = Open(file);
        var packet = Assert.Single(CapturedPacket.ReadAll(reader));

        Assert.Equal(CapturedPacket.Frame(60, 1), packet.Data);
        Assert.NotNull(reader.Error);
        Assert.Equal(broken, reader.Error.Offset);
        Assert.Equal("truncated packet record: header announces 1514 bytes, 200 remain", reader.Error.Reason);
    }

    [Theory]
    [InlineData(CaptureFile.MaxRecordLength + 1u)]
    [InlineData(0xFFFFFFFFu)]
    public void OversizedCaptureLengthIsCorruption(uint capturedLength)
    {
        var file = new PcapFileBuilder();
        file.Record(1, 0, CapturedPacket.Frame(60, 1));
        var broken = file.RecordHeader(2, 0, capturedLength, capturedLength);
        file.Append(new byte[4096]);

        using var reader = Open(file);
        Assert.Single(CapturedPacket.ReadAll(reader));
        Assert.NotNull(reader.Error);
        Assert.Equal(broken, reader.Error.Offset);
        Assert.Equal($"corrupt packet record: captured length {capturedLength} exceeds the maximum of {CaptureFile.MaxRecordLength} bytes",
            reader.Error.Reason);
    }

    private ICaptureReader Open(PcapFileBuilder file)
    {
        var path = temp.File("built.pcap");
        file.Save(path);
        return CaptureFile.Open(path);
    }

    private List<CapturedPacket> ReadAll(PcapFileBuilder file)
    {
        using var reader = Open(file);
        var packets = CapturedPacket.ReadAll(reader);
        Assert.Null(reader.Error);
        return packets;
    }
}
