using System.Text;
using Tocsin.Testing;

namespace Tocsin.Capture.Tests;

/// <summary>Format sniffing, streams, and records that do not fit the read buffer's first fill.</summary>
public sealed class CaptureFileTests : IDisposable
{
    private readonly TempDirectory temp = new();

    public void Dispose() => temp.Dispose();

    [Fact]
    public void TextFileIsNotACapture()
    {
        var path = temp.File("notes.pcap");
        File.WriteAllText(path, "hello, this is not a capture");

        var error = Assert.Throws<CaptureFormatException>(() => CaptureFile.Open(path));
        Assert.Equal(path, error.Path);
        Assert.Equal(0, error.Offset);
        Assert.Equal("not a pcap or pcapng file (magic 0x68656c6c)", error.Reason);
        Assert.Contains(path, error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void EmptyFileIsNotACapture()
    {
        var path = temp.File("empty.pcap");
        File.WriteAllBytes(path, []);

        var error = Assert.Throws<CaptureFormatException>(() => CaptureFile.Open(path));
        Assert.Equal(0, error.Offset);
        Assert.Equal("empty file, not a pcap or pcapng capture", error.Reason);
    }

    [Fact]
    public void FileShorterThanAMagicIsNotACapture()
    {
        var error = Assert.Throws<CaptureFormatException>(() => CaptureFile.Open(new MemoryStream([0xD4, 0xC3, 0xB2]), "three"));
        Assert.Equal("three", error.Path);
        Assert.Equal("not a pcap or pcapng file (only 3 bytes)", error.Reason);
    }

    [Fact]
    public void RejectedStreamIsDisposedUnlessLeftOpen()
    {
        var closed = new MemoryStream(Encoding.ASCII.GetBytes("GIF89a......"));
        Assert.Throws<CaptureFormatException>(() => CaptureFile.Open(closed, "image"));
        Assert.False(closed.CanRead);

        var open = new MemoryStream(Encoding.ASCII.GetBytes("GIF89a......"));
        Assert.Throws<CaptureFormatException>(() => CaptureFile.Open(open, "image", leaveOpen: true));
        Assert.True(open.CanRead);
    }

    [Fact]
    public void MissingFileThrowsTheFileSystemError()
    {
        Assert.Throws<FileNotFoundException>(() => CaptureFile.Open(temp.File("absent.pcap")));
    }

    [Fact]
    public void PcapFromNonSeekableStreamReadsLikeTheFile()
    {
        var path = temp.File("stream.pcap");
        WritePcap(path, [60, 1514, 9000, 42, 1514, 0, 70000, 60]);

        var fromFile = CapturedPacket.ReadAll(path);
        using var reader = CaptureFile.Open(new NonSeekableStream(File.ReadAllBytes(path), maxChunk: 777), "pipe");
        var fromStream = CapturedPacket.ReadAll(reader);

        Assert.Equal(-1, reader.Length);
        Assert.Equal("pipe", reader.Path);
        Assert.Equal(new FileInfo(path).Length, reader.Position);
        Assert.Null(reader.Error);
        AssertSamePackets(fromFile, fromStream);
    }

    [Fact]
    public void PcapNgFromNonSeekableStreamReadsLikeTheFile()
    {
        var file = new PcapNgBuilder();
        file.Section();
        file.Interface(LinkType.Ethernet);
        file.Interface(LinkType.Raw, timestampResolution: 9);
        for (var i = 0; i < 50; i++)
            file.EnhancedPacket(i % 2, (ulong)i * 1000, CapturedPacket.Frame(60 + i * 97, i));
        file.Section(bigEndian: true);
        file.Interface(LinkType.LinuxSll);
        file.SimplePacket(CapturedPacket.Frame(333, 99));
        var path = temp.File("stream.pcapng");
        file.Save(path);

        var fromFile = CapturedPacket.ReadAll(path);
        using var reader = CaptureFile.Open(new NonSeekableStream(file.ToArray(), maxChunk: 13), "pipe");
        var fromStream = CapturedPacket.ReadAll(reader);

        Assert.Equal(51, fromStream.Count);
        Assert.Equal(-1, reader.Length);
        Assert.Equal(file.Length, reader.Position);
        Assert.Null(reader.Error);
        AssertSamePackets(fromFile, fromStream);
    }

    [Fact]
    public void TruncationIsReportedOnNonSeekableStreams()
    {
        var file = new PcapFileBuilder();
        file.Record(1, 0, CapturedPacket.Frame(60, 1));
        var broken = file.RecordHeader(2, 0, 1514, 1514);
        file.Append(new byte[200]);

        using var reader = CaptureFile.Open(new NonSeekableStream(file.ToArray(), maxChunk: 7), "pipe");
        Assert.Single(CapturedPacket.ReadAll(reader));
        Assert.Equal(new CaptureError("pipe", broken, "truncated packet record: header announces 1514 bytes, 200 remain"), reader.Error);
    }

    [Fact]
    public void PcapRecordsAcrossBufferRefillsAndLargerThanTheBuffer()
    {
        // 1 MiB is not a multiple of 1530-byte records, so records straddle each refill; the 5 MiB record forces
        // the buffer to grow and the tiny records after it test the grown buffer's bookkeeping.
        var lengths = Enumerable.Repeat(1514, 2000)
            .Append(5 << 20)
            .Concat(Enumerable.Range(0, 3000).Select(i => i % 300))
            .Append((1 << 20) - 16)
            .Append(1)
            .ToArray();
        var path = temp.File("large.pcap");
        WritePcap(path, lengths);

        using var reader = CaptureFile.Open(path);
        var packets = CapturedPacket.ReadAll(reader);

        Assert.Null(reader.Error);
        Assert.Equal(lengths, packets.Select(p => p.Data.Length));
        for (var i = 0; i < packets.Count; i++)
            Assert.Equal(CapturedPacket.Frame(lengths[i], i), packets[i].Data);
        Assert.Equal(new FileInfo(path).Length, reader.Position);
    }

    [Fact]
    public void PcapNgBlocksAcrossBufferRefillsAndLargerThanTheBuffer()
    {
        var lengths = Enumerable.Repeat(1514, 1500).Append(3 << 20).Concat(Enumerable.Repeat(61, 1000)).ToArray();
        var file = new PcapNgBuilder();
        file.Section();
        file.Interface(LinkType.Ethernet, timestampResolution: 9);
        for (var i = 0; i < lengths.Length; i++)
            file.EnhancedPacket(0, (ulong)i, CapturedPacket.Frame(lengths[i], i));
        var path = temp.File("large.pcapng");
        file.Save(path);

        using var reader = CaptureFile.Open(path);
        var packets = CapturedPacket.ReadAll(reader);

        Assert.Null(reader.Error);
        Assert.Equal(lengths, packets.Select(p => p.Data.Length));
        for (var i = 0; i < packets.Count; i++)
        {
            Assert.Equal(i, packets[i].TimestampNs);
            Assert.Equal(CapturedPacket.Frame(lengths[i], i), packets[i].Data);
        }
    }

    [Fact]
    public void PositionTracksConsumedBytes()
    {
        var path = temp.File("progress.pcap");
        WritePcap(path, [100, 200]);

        using var reader = CaptureFile.Open(path);
        Assert.Equal(24 + 16 + 100 + 16 + 200, reader.Length);
        Assert.Equal(24, reader.Position);
        Assert.True(reader.TryReadNext(out _));
        Assert.Equal(24 + 16 + 100, reader.Position);
        Assert.True(reader.TryReadNext(out _));
        Assert.False(reader.TryReadNext(out _));
        Assert.Equal(reader.Length, reader.Position);
        Assert.Null(reader.Error);
    }

    [Fact]
    public void ReadingAfterDisposeThrows()
    {
        var path = temp.File("disposed.pcap");
        WritePcap(path, [100]);

        var reader = CaptureFile.Open(path);
        reader.Dispose();
        Assert.Throws<ObjectDisposedException>(() => reader.TryReadNext(out _));
    }

    private static void WritePcap(string path, int[] lengths)
    {
        using var writer = new PcapWriter(path, LinkType.Ethernet, CaptureFile.MaxRecordLength, PcapTimestampResolution.Nanosecond);
        for (var i = 0; i < lengths.Length; i++)
            writer.Write(1_700_000_000 * 1_000_000_000L + i, CapturedPacket.Frame(lengths[i], i));
    }

    private static void AssertSamePackets(List<CapturedPacket> expected, List<CapturedPacket> actual)
    {
        Assert.Equal(expected.Count, actual.Count);
        for (var i = 0; i < expected.Count; i++)
        {
            Assert.Equal(expected[i].Data, actual[i].Data);
            Assert.Equal(expected[i] with { Data = [] }, actual[i] with { Data = [] });
        }
    }
}
