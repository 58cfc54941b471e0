using System.Buffers.Binary;
using Tocsin.Testing;

namespace Tocsin.Capture.Tests;

/// <summary>pcapng structures, built block by block.</summary>
public sealed class PcapNgReaderTests : IDisposable
{
    private const long Second = 1_000_000_000;

    private readonly TempDirectory temp = new();

    public void Dispose() => temp.Dispose();

    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public void InterfacesHaveTheirOwnLinkTypeAndClock(bool bigEndian)
    {
        var file = new PcapNgBuilder();
        file.Section(bigEndian);
        file.Interface(LinkType.Ethernet, name: "eth0"); // µs by default
        file.Interface(LinkType.Raw, timestampResolution: 9, name: "tun0");
        file.Interface(LinkType.LinuxSll, timestampResolution: 0x80 | 20); // 2^-20 s
        file.Interface(LinkType.Ipv4, timestampResolution: 3, timestampOffsetSeconds: 1_000_000_000);
        file.Interface(LinkType.Ipv6, timestampResolution: 12);
        file.EnhancedPacket(0, 1_600_000_000_123_456, CapturedPacket.Frame(60, 0));
        file.EnhancedPacket(1, 1_600_000_000_123_456_789, CapturedPacket.Frame(61, 1));
        file.EnhancedPacket(2, (1_600_000_000UL << 20) + (1 << 19), CapturedPacket.Frame(62, 2));
        file.EnhancedPacket(2, (1_600_000_000UL << 20) + 1, CapturedPacket.Frame(63, 3));
        file.EnhancedPacket(3, 600_000_000_123, CapturedPacket.Frame(64, 4));
        file.EnhancedPacket(4, 10_000_000_123_456_789_012, CapturedPacket.Frame(65, 5), originalLength: 1000);

        using var reader = Open(file);
        var packets = CapturedPacket.ReadAll(reader);

        Assert.Equal(CaptureFormat.PcapNg, reader.Format);
        Assert.Null(reader.Error);
        Assert.Equal(
            [
                1_600_000_000 * Second + 123_456_000,
                1_600_000_000 * Second + 123_456_789,
                1_600_000_000 * Second + 500_000_000,
                1_600_000_000 * Second + 953, // one 2^-20 tick is 953.67 ns, rounded down
                1_600_000_000 * Second + 123_000_000, // 600,000,000.123 s after the 10^9 s offset
                10_000_000 * Second + 123_456_789, // picoseconds, rounded down
            ],
            packets.Select(p => p.TimestampNs));
        Assert.Equal(
            [LinkType.Ethernet, LinkType.Raw, LinkType.LinuxSll, LinkType.LinuxSll, LinkType.Ipv4, LinkType.Ipv6],
            packets.Select(p => p.LinkType));
        Assert.Equal([0, 1, 2, 2, 3, 4], packets.Select(p => p.InterfaceId));
        for (var i = 0; i < packets.Count; i++)
            Assert.Equal(CapturedPacket.Frame(60 + i, i), packets[i].Data);
        Assert.Equal(1000, packets[5].OriginalLength);
    }

    [Fact]
    public void NanosecondHelperMatchesTheReader()
    {
        var file = new PcapNgBuilder();
        file.Section();
        file.Interface(LinkType.Ethernet, timestampResolution: 0x80 | 30);
        file.EnhancedPacketAt(0, 1_700_000_000 * Second + 250_000_000, CapturedPacket.Frame(60, 0));

        Assert.Equal(1_700_000_000 * Second + 250_000_000, Assert.Single(ReadAll(file)).TimestampNs);
    }

    [Fact]
    public void SimplePacketsUseInterfaceZeroAndThePreviousTimestamp()
    {
        var file = new PcapNgBuilder();
        file.Section();
        file.Interface(LinkType.Ethernet, snapLength: 100);
        file.Interface(LinkType.Raw);
        var first = file.SimplePacket(CapturedPacket.Frame(60, 0));
        file.EnhancedPacket(1, 1_700_000_000_000_001, CapturedPacket.Frame(60, 1));
        var snapped = file.SimplePacket(CapturedPacket.Frame(1514, 2));
        var cut = file.SimplePacket(CapturedPacket.Frame(40, 3), originalLength: 1514);

        var packets = ReadAll(file);

        Assert.Equal([first, snapped, cut], packets.Where(p => p.InterfaceId == 0).Select(p => p.FileOffset));
        Assert.Equal([0, 1_700_000_000_000_001_000, 1_700_000_000_000_001_000, 1_700_000_000_000_001_000],
            packets.Select(p => p.TimestampNs));
        Assert.Equal([LinkType.Ethernet, LinkType.Raw, LinkType.Ethernet, LinkType.Ethernet], packets.Select(p => p.LinkType));
        // Captured length: the smallest of the original length, the snap length and the data in the block.
        Assert.Equal(CapturedPacket.Frame(60, 0), packets[0].Data);
        Assert.Equal(CapturedPacket.Frame(1514, 2)[..100], packets[2].Data);
        Assert.Equal(1514, packets[2].OriginalLength);
        Assert.Equal(CapturedPacket.Frame(40, 3), packets[3].Data);
        Assert.Equal(1514, packets[3].OriginalLength);
    }

    [Fact]
    public void ObsoletePacketBlocksAreRead()
    {
        var file = new PcapNgBuilder();
        file.Section(bigEndian: true);
        file.Interface(LinkType.Ethernet);
        file.Interface(LinkType.Raw, timestampResolution: 9);
        var offset = file.ObsoletePacket(1, 1_700_000_000_123_456_789, CapturedPacket.Frame(50, 7), originalLength: 1500);

        var packet = Assert.Single(ReadAll(file));
        Assert.Equal(offset, packet.FileOffset);
        Assert.Equal(1, packet.InterfaceId);
        Assert.Equal(LinkType.Raw, packet.LinkType);
        Assert.Equal(1_700_000_000_123_456_789, packet.TimestampNs);
        Assert.Equal(CapturedPacket.Frame(50, 7), packet.Data);
        Assert.Equal(1500, packet.OriginalLength);
    }

    [Fact]
    public void EachSectionHasItsOwnByteOrderAndInterfaces()
    {
        var file = new PcapNgBuilder();
        file.Section(bigEndian: false);
        file.Interface(LinkType.Ethernet);
        file.Interface(LinkType.Raw);
        file.EnhancedPacket(1, 1_000_000, CapturedPacket.Frame(60, 0));
        file.Section(bigEndian: true);
        file.Interface(LinkType.LinuxSll, timestampResolution: 9);
        file.EnhancedPacket(0, 2 * (ulong)Second, CapturedPacket.Frame(61, 1));
        file.SimplePacket(CapturedPacket.Frame(62, 2));
        file.Section(bigEndian: false, minorVersion: 2);
        file.Interface(LinkType.Null);
        file.EnhancedPacket(0, 3_000_000, CapturedPacket.Frame(63, 3));

        var packets = ReadAll(file);

        Assert.Equal([LinkType.Raw, LinkType.LinuxSll, LinkType.LinuxSll, LinkType.Null], packets.Select(p => p.LinkType));
        Assert.Equal([1, 0, 0, 0], packets.Select(p => p.InterfaceId));
        Assert.Equal([1 * Second, 2 * Second, 2 * Second, 3 * Second], packets.Select(p => p.TimestampNs));
        for (var i = 0; i < packets.Count; i++)
            Assert.Equal(CapturedPacket.Frame(60 + i, i), packets[i].Data);
    }

    [Fact]
    public void InterfaceIdsRestartWithEachSection()
    {
        var file = new PcapNgBuilder();
        file.Section();
        file.Interface(LinkType.Ethernet);
        file.Interface(LinkType.Raw);
        file.EnhancedPacket(1, 1, CapturedPacket.Frame(60, 0));
        file.Section(bigEndian: true);
        file.Interface(LinkType.Ethernet);
        var broken = file.EnhancedPacket(1, 2, CapturedPacket.Frame(60, 1));

        using var reader = Open(file);
        Assert.Single(CapturedPacket.ReadAll(reader));
        AssertError(reader, broken, "packet references undefined interface 1 (the section defines 1)");
    }

    [Fact]
    public void OtherBlocksAreSkipped()
    {
        var file = new PcapNgBuilder();
        file.Section();
        file.Block(PcapNgBuilder.NameResolutionBlockType, new byte[12]);
        file.Interface(LinkType.Ethernet);
        var first = file.EnhancedPacket(0, 1, CapturedPacket.Frame(60, 0));
        file.Block(PcapNgBuilder.InterfaceStatisticsBlockType, new byte[20]);
        file.Block(PcapNgBuilder.DecryptionSecretsBlockType, CapturedPacket.Frame(37, 9));
        file.Block(PcapNgBuilder.CustomBlockType, new byte[8]);
        file.Block(0x40000123, []);
        var second = file.EnhancedPacket(0, 2, CapturedPacket.Frame(61, 1));
        file.Block(PcapNgBuilder.InterfaceStatisticsBlockType, new byte[20]);

        using var reader = Open(file);
        var packets = CapturedPacket.ReadAll(reader);
        Assert.Equal([first, second], packets.Select(p => p.FileOffset));
        Assert.Null(reader.Error);
        Assert.Equal(file.Length, reader.Position);
    }

    [Fact]
    public void TruncatedBlockHeaderStopsWithItsOffset()
    {
        var file = WithOnePacket();
        var broken = file.Append(new byte[5]);

        using var reader = Open(file);
        Assert.Single(CapturedPacket.ReadAll(reader));
        AssertError(reader, broken, "truncated block header: 5 of 12 bytes");
    }

    [Fact]
    public void TruncatedBlockStopsWithItsOffset()
    {
        var file = WithOnePacket();
        var broken = file.EnhancedPacket(0, 2, CapturedPacket.Frame(1514, 1));
        var bytes = file.ToArray()[..(int)(broken + 50)];

        using var reader = Open(bytes);
        var packet = Assert.Single(CapturedPacket.ReadAll(reader));
        Assert.Equal(CapturedPacket.Frame(60, 0), packet.Data);
        AssertError(reader, broken, "truncated block: header announces 1548 bytes, 50 remain");
    }

    [Theory]
    [InlineData(13u)]
    [InlineData(8u)]
    [InlineData(0u)]
    [InlineData(CaptureFile.MaxRecordLength + 4u)]
    public void BadBlockLengthIsCorruption(uint totalLength)
    {
        var file = WithOnePacket();
        var broken = file.Block(PcapNgBuilder.CustomBlockType, new byte[8], totalLength: totalLength);
        file.EnhancedPacket(0, 3, CapturedPacket.Frame(60, 2));

        using var reader = Open(file);
        Assert.Single(CapturedPacket.ReadAll(reader));
        AssertError(reader, broken, $"corrupt block: total length {totalLength} is not a multiple of 4 between 12 and {CaptureFile.MaxRecordLength}");
    }

    [Fact]
    public void BadTrailerIsCorruption()
    {
        var file = WithOnePacket();
        var broken = file.Block(PcapNgBuilder.EnhancedPacketBlockType, new byte[20], trailingLength: 99);

        using var reader = Open(file);
        Assert.Single(CapturedPacket.ReadAll(reader));
        AssertError(reader, broken, "corrupt block: trailing length 99 differs from leading length 32");
    }

    [Fact]
    public void CapturedLengthBeyondTheBlockIsCorruption()
    {
        var file = WithOnePacket();
        var body = new byte[28];
        BinaryPrimitives.WriteUInt32LittleEndian(body.AsSpan(12), 100); // caplen, with 8 data bytes
        BinaryPrimitives.WriteUInt32LittleEndian(body.AsSpan(16), 100);
        var broken = file.Block(PcapNgBuilder.EnhancedPacketBlockType, body);

        using var reader = Open(file);
        Assert.Single(CapturedPacket.ReadAll(reader));
        AssertError(reader, broken, "corrupt packet block: captured length 100 exceeds its 8 data bytes");
    }

    [Fact]
    public void PacketBlockBelowItsMinimumIsCorruption()
    {
        var file = WithOnePacket();
        var broken = file.Block(PcapNgBuilder.EnhancedPacketBlockType, new byte[8]);

        using var reader = Open(file);
        Assert.Single(CapturedPacket.ReadAll(reader));
        AssertError(reader, broken, "corrupt packet block: total length 20 is below its minimum of 32");
    }

    [Fact]
    public void PacketOnUndefinedInterfaceStops()
    {
        var file = WithOnePacket();
        var broken = file.EnhancedPacket(2, 2, CapturedPacket.Frame(60, 1));

        using var reader = Open(file);
        Assert.Single(CapturedPacket.ReadAll(reader));
        AssertError(reader, broken, "packet references undefined interface 2 (the section defines 1)");
    }

    [Fact]
    public void ObsoletePacketOnUndefinedInterfaceStops()
    {
        var file = WithOnePacket();
        var broken = file.ObsoletePacket(7, 2, CapturedPacket.Frame(60, 1));

        using var reader = Open(file);
        Assert.Single(CapturedPacket.ReadAll(reader));
        AssertError(reader, broken, "packet references undefined interface 7 (the section defines 1)");
    }

    [Fact]
    public void SimplePacketWithoutInterfaceStops()
    {
        var file = new PcapNgBuilder();
        file.Section();
        var broken = file.SimplePacket(CapturedPacket.Frame(60, 0));

        using var reader = Open(file);
        Assert.Empty(CapturedPacket.ReadAll(reader));
        AssertError(reader, broken, "simple packet block without an interface description (it implies interface 0)");
    }

    [Theory]
    [InlineData(20, "0x14")] // 10^-20 s: more ticks per second than 64 bits hold
    [InlineData(0x80 | 64, "0xC0")]
    public void UnusableTimestampResolutionStops(int resolution, string shown)
    {
        var file = WithOnePacket();
        var broken = file.Interface(LinkType.Ethernet, timestampResolution: (byte)resolution);

        using var reader = Open(file);
        Assert.Single(CapturedPacket.ReadAll(reader));
        AssertError(reader, broken, $"corrupt interface description block: unusable if_tsresol {shown}");
    }

    [Fact]
    public void LaterSectionWithUnknownMajorVersionStops()
    {
        var file = WithOnePacket();
        var broken = file.Section(majorVersion: 2);

        using var reader = Open(file);
        Assert.Single(CapturedPacket.ReadAll(reader));
        AssertError(reader, broken, "unsupported pcapng version 2.0");
    }

    [Fact]
    public void LaterSectionWithBadByteOrderMagicStops()
    {
        var file = WithOnePacket();
        var broken = file.Block(PcapNgBuilder.SectionHeaderBlockType, [0xDE, 0xAD, 0xBE, 0xEF, 1, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0]);

        using var reader = Open(file);
        Assert.Single(CapturedPacket.ReadAll(reader));
        AssertError(reader, broken, "section header block with an invalid byte-order magic 0xdeadbeef");
    }

    [Fact]
    public void UnusableFirstSectionIsNotACapture()
    {
        var badMagic = new PcapNgBuilder();
        badMagic.Block(PcapNgBuilder.SectionHeaderBlockType, [0xDE, 0xAD, 0xBE, 0xEF, 1, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0]);
        var error = Assert.Throws<CaptureFormatException>(() => Open(badMagic));
        Assert.Equal(0, error.Offset);
        Assert.Equal("section header block with an invalid byte-order magic 0xdeadbeef", error.Reason);

        var cut = new PcapNgBuilder();
        cut.Section();
        error = Assert.Throws<CaptureFormatException>(() => Open(cut.ToArray()[..20]));
        Assert.Equal("truncated block: header announces 28 bytes, 20 remain", error.Reason);

        var future = new PcapNgBuilder();
        future.Section(majorVersion: 2);
        error = Assert.Throws<CaptureFormatException>(() => Open(future));
        Assert.Equal("unsupported pcapng version 2.0", error.Reason);
    }

    private static PcapNgBuilder WithOnePacket()
    {
        var file = new PcapNgBuilder();
        file.Section();
        file.Interface(LinkType.Ethernet);
        file.EnhancedPacket(0, 1, CapturedPacket.Frame(60, 0));
        return file;
    }

    private static void AssertError(ICaptureReader reader, long offset, string reason)
    {
        Assert.NotNull(reader.Error);
        Assert.Equal(offset, reader.Error.Offset);
        Assert.Equal(reason, reader.Error.Reason);
        Assert.Equal(reader.Path, reader.Error.Path);
    }

    private ICaptureReader Open(PcapNgBuilder file) => Open(file.ToArray());

    private ICaptureReader Open(byte[] bytes)
    {
        var path = temp.File("built.pcapng");
        File.WriteAllBytes(path, bytes);
        return CaptureFile.Open(path);
    }

    private List<CapturedPacket> ReadAll(PcapNgBuilder file)
    {
        using var reader = Open(file);
        var packets = CapturedPacket.ReadAll(reader);
        Assert.Null(reader.Error);
        Assert.Equal(file.Length, reader.Position);
        return packets;
    }
}
