using System.Buffers.Binary;
using Tocsin.Testing;

namespace Tocsin.Capture.Tests;

public sealed class PcapWriterTests : IDisposable
{
    private readonly TempDirectory temp = new();

    public void Dispose() => temp.Dispose();

    [Theory]
    [InlineData(PcapTimestampResolution.Microsecond, 0xA1B2C3D4u)]
    [InlineData(PcapTimestampResolution.Nanosecond, 0xA1B23C4Du)]
    public void HeaderIsStandardLittleEndianVersion24(PcapTimestampResolution resolution, uint magic)
    {
        var path = temp.File("header.pcap");
        using (new PcapWriter(path, LinkType.LinuxSll, snapLength: 9000, resolution))
        {
        }

        var bytes = File.ReadAllBytes(path);
        Assert.Equal(24, bytes.Length);
        Assert.Equal(magic, BinaryPrimitives.ReadUInt32LittleEndian(bytes));
        Assert.Equal(2, BinaryPrimitives.ReadUInt16LittleEndian(bytes.AsSpan(4)));
        Assert.Equal(4, BinaryPrimitives.ReadUInt16LittleEndian(bytes.AsSpan(6)));
        Assert.Equal(0UL, BinaryPrimitives.ReadUInt64LittleEndian(bytes.AsSpan(8)));
        Assert.Equal(9000u, BinaryPrimitives.ReadUInt32LittleEndian(bytes.AsSpan(16)));
        Assert.Equal(113u, BinaryPrimitives.ReadUInt32LittleEndian(bytes.AsSpan(20)));
    }

    [Fact]
    public void MicrosecondFileKeepsWholeMicroseconds()
    {
        var path = temp.File("us.pcap");
        long[] timestamps = [1_700_000_000_123_456_789, 1_700_000_001_000_000_999, 0];
        int[] lengths = [60, 1514, 0];
        using (var writer = new PcapWriter(path, LinkType.Ethernet))
        {
            for (var i = 0; i < timestamps.Length; i++)
                writer.Write(timestamps[i], CapturedPacket.Frame(lengths[i], i));
            Assert.Equal(3, writer.PacketsWritten);
        }

        using var reader = CaptureFile.Open(path);
        var packets = CapturedPacket.ReadAll(reader);
        Assert.Equal(CaptureFormat.Pcap, reader.Format);
        Assert.Equal([1_700_000_000_123_456_000, 1_700_000_001_000_000_000, 0], packets.Select(p => p.TimestampNs));
        Assert.Equal(lengths, packets.Select(p => p.OriginalLength));
        for (var i = 0; i < packets.Count; i++)
            Assert.Equal(CapturedPacket.Frame(lengths[i], i), packets[i].Data);
        Assert.Equal([24L, 24 + 16 + 60, 24 + 16 + 60 + 16 + 1514], packets.Select(p => p.FileOffset));
        Assert.All(packets, p => Assert.Equal(LinkType.Ethernet, p.LinkType));
        Assert.All(packets, p => Assert.Equal(0, p.InterfaceId));
        Assert.Null(reader.Error);
        Assert.Equal(new FileInfo(path).Length, reader.Length);
        Assert.Equal(reader.Length, reader.Position);
    }

    [Fact]
    public void NanosecondFileKeepsExactTimestamps()
    {
        var path = temp.File("ns.pcap");
        long[] timestamps = [1_700_000_000_123_456_789, 4_294_967_295_999_999_999];
        using (var writer = new PcapWriter(path, LinkType.Raw, resolution: PcapTimestampResolution.Nanosecond))
        {
            foreach (var timestamp in timestamps)
                writer.Write(timestamp, CapturedPacket.Frame(40, 1));
        }

        var packets = CapturedPacket.ReadAll(path);
        Assert.Equal(timestamps, packets.Select(p => p.TimestampNs));
        Assert.All(packets, p => Assert.Equal(LinkType.Raw, p.LinkType));
    }

    [Fact]
    public void FramesAreCutToTheSnapLengthAndKeepTheirWireLength()
    {
        var path = temp.File("snap.pcap");
        using (var writer = new PcapWriter(path, LinkType.Ethernet, snapLength: 64))
        {
            writer.Write(1, CapturedPacket.Frame(100, 0));
            writer.Write(2, CapturedPacket.Frame(60, 1), originalLength: 1514);
        }

        var packets = CapturedPacket.ReadAll(path);
        Assert.Equal(CapturedPacket.Frame(100, 0)[..64], packets[0].Data);
        Assert.Equal(100, packets[0].OriginalLength);
        Assert.Equal(CapturedPacket.Frame(60, 1), packets[1].Data);
        Assert.Equal(1514, packets[1].OriginalLength);
    }

    [Fact]
    public void InvalidArgumentsAreRejected()
    {
        var path = temp.File("bad.pcap");
        using (var writer = new PcapWriter(path, LinkType.Ethernet))
        {
            Assert.Throws<ArgumentOutOfRangeException>(() => writer.Write(-1, new byte[10]));
            Assert.Throws<ArgumentOutOfRangeException>(() => writer.Write((uint.MaxValue + 1L) * 1_000_000_000, new byte[10]));
            Assert.Throws<ArgumentOutOfRangeException>(() => writer.Write(1, new byte[10], originalLength: 9));
            Assert.Equal(0, writer.PacketsWritten);
        }
        Assert.Equal(24, new FileInfo(path).Length);

        var unwritten = temp.File("never.pcap");
        Assert.Throws<ArgumentOutOfRangeException>(() => new PcapWriter(unwritten, LinkType.Ethernet, snapLength: 0));
        Assert.Throws<ArgumentOutOfRangeException>(() => new PcapWriter(unwritten, LinkType.Ethernet, CaptureFile.MaxRecordLength + 1));
        Assert.False(File.Exists(unwritten));
    }

    [Fact]
    public void FramesLargerThanTheWriteBufferGoStraightThrough()
    {
        var path = temp.File("jumbo.pcap");
        int[] lengths = [1500, 3 << 20, 70, (1 << 20) - 20, 1500];
        using (var writer = new PcapWriter(path, LinkType.Ethernet, snapLength: CaptureFile.MaxRecordLength))
        {
            for (var i = 0; i < lengths.Length; i++)
                writer.Write(i * 1000L, CapturedPacket.Frame(lengths[i], i));
        }

        var packets = CapturedPacket.ReadAll(path);
        Assert.Equal(lengths, packets.Select(p => p.Data.Length));
        for (var i = 0; i < packets.Count; i++)
            Assert.Equal(CapturedPacket.Frame(lengths[i], i), packets[i].Data);
    }

    [Fact]
    public void StreamIsLeftOpenWhenAsked()
    {
        using var stream = new MemoryStream();
        using (var writer = new PcapWriter(stream, LinkType.Ethernet, leaveOpen: true))
            writer.Write(5_000, CapturedPacket.Frame(60, 3));

        Assert.True(stream.CanRead);
        Assert.Equal(24 + 16 + 60, stream.Length);
        stream.Position = 0;
        using var reader = CaptureFile.Open(stream, "memory", leaveOpen: true);
        var packet = Assert.Single(CapturedPacket.ReadAll(reader));
        Assert.Equal(5_000, packet.TimestampNs);
        Assert.Equal(CapturedPacket.Frame(60, 3), packet.Data);
    }

    [Fact]
    public void WriteAfterDisposeThrows()
    {
        var writer = new PcapWriter(new MemoryStream(), LinkType.Ethernet);
        writer.Dispose();
        Assert.Throws<ObjectDisposedException>(() => writer.Write(1, new byte[10]));
    }
}
