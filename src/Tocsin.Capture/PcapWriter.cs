using System.Buffers;
using System.Buffers.Binary;

namespace Tocsin.Capture;

/// <summary>
/// Writes a classic pcap file (version 2.4, little-endian), which every tool reads. Records are gathered in one pooled
/// buffer and written in large chunks, so writing costs little more than copying the frames.
/// </summary>
public sealed class PcapWriter : IDisposable
{
    public const int DefaultSnapLength = 262144;

    private const int BufferSize = 1 << 20;
    private const int RecordHeaderLength = 16;
    private const long NanosecondsPerSecond = 1_000_000_000;

    private readonly Stream stream;
    private readonly bool leaveOpen;
    private readonly long nanosecondsPerFraction;
    private byte[] buffer;
    private int used;

    /// <summary>Creates (or replaces) the file at <paramref name="path"/>.</summary>
    public PcapWriter(string path, LinkType linkType, int snapLength = DefaultSnapLength,
        PcapTimestampResolution resolution = PcapTimestampResolution.Microsecond)
        : this(CreateFile(path, snapLength, resolution), linkType, snapLength, resolution)
    {
    }

    public PcapWriter(Stream stream, LinkType linkType, int snapLength = DefaultSnapLength,
        PcapTimestampResolution resolution = PcapTimestampResolution.Microsecond, bool leaveOpen = false)
    {
        ArgumentNullException.ThrowIfNull(stream);
        if (!stream.CanWrite)
            throw new ArgumentException("the stream is not writable", nameof(stream));
        ValidateSettings(snapLength, resolution);

        this.stream = stream;
        this.leaveOpen = leaveOpen;
        LinkType = linkType;
        SnapLength = snapLength;
        Resolution = resolution;
        nanosecondsPerFraction = resolution == PcapTimestampResolution.Nanosecond ? 1 : 1000;
        buffer = ArrayPool<byte>.Shared.Rent(BufferSize);

        var header = buffer.AsSpan(0, PcapReader.FileHeaderLength);
        BinaryPrimitives.WriteUInt32LittleEndian(header,
            resolution == PcapTimestampResolution.Nanosecond ? PcapReader.NanosecondMagic : PcapReader.MicrosecondMagic);
        BinaryPrimitives.WriteUInt16LittleEndian(header[4..], 2);
        BinaryPrimitives.WriteUInt16LittleEndian(header[6..], 4);
        header[8..16].Clear(); // thiszone and sigfigs: always 0
        BinaryPrimitives.WriteUInt32LittleEndian(header[16..], (uint)snapLength);
        BinaryPrimitives.WriteUInt32LittleEndian(header[20..], (uint)linkType);
        used = PcapReader.FileHeaderLength;
    }

    // Checked before the file is created, so that bad settings leave no empty file behind.
    private static FileStream CreateFile(string path, int snapLength, PcapTimestampResolution resolution)
    {
        ValidateSettings(snapLength, resolution);
        return new FileStream(path, FileMode.Create, FileAccess.Write, FileShare.Read, bufferSize: 0);
    }

    private static void ValidateSettings(int snapLength, PcapTimestampResolution resolution)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(snapLength, 1);
        ArgumentOutOfRangeException.ThrowIfGreaterThan(snapLength, CaptureFile.MaxRecordLength);
        if (!Enum.IsDefined(resolution))
            throw new ArgumentOutOfRangeException(nameof(resolution), resolution, "unknown timestamp resolution");
    }

    public LinkType LinkType { get; }

    public int SnapLength { get; }

    public PcapTimestampResolution Resolution { get; }

    public long PacketsWritten { get; private set; }

    /// <summary>
    /// Appends one frame, cut to <see cref="SnapLength"/>. <paramref name="originalLength"/> is the length on the wire,
    /// when <paramref name="frame"/> was already cut; -1 means the frame is whole.
    /// </summary>
    public void Write(long timestampNs, ReadOnlySpan<byte> frame, int originalLength = -1)
    {
        ObjectDisposedException.ThrowIf(buffer.Length == 0, this);
        ArgumentOutOfRangeException.ThrowIfNegative(timestampNs);
        var seconds = timestampNs / NanosecondsPerSecond;
        if (seconds > uint.MaxValue)
            throw new ArgumentOutOfRangeException(nameof(timestampNs), timestampNs, "pcap seconds are 32-bit: the format ends in 2106");
        if (originalLength == -1)
            originalLength = frame.Length;
        else if (originalLength < frame.Length)
            throw new ArgumentOutOfRangeException(nameof(originalLength), originalLength, $"shorter than the {frame.Length}-byte frame");

        var captured = Math.Min(frame.Length, SnapLength);
        if (RecordHeaderLength + captured > buffer.Length - used)
            FlushBuffer();

        var header = buffer.AsSpan(used, RecordHeaderLength);
        BinaryPrimitives.WriteUInt32LittleEndian(header, (uint)seconds);
        BinaryPrimitives.WriteUInt32LittleEndian(header[4..], (uint)(timestampNs % NanosecondsPerSecond / nanosecondsPerFraction));
        BinaryPrimitives.WriteUInt32LittleEndian(header[8..], (uint)captured);
        BinaryPrimitives.WriteUInt32LittleEndian(header[12..], (uint)originalLength);
        used += RecordHeaderLength;

        if (captured <= buffer.Length - used)
        {
            frame[..captured].CopyTo(buffer.AsSpan(used));
            used += captured;
        }
        else
        {
            // Larger than the whole buffer: copying it through in pieces would gain nothing.
            FlushBuffer();
            stream.Write(frame[..captured]);
        }
        PacketsWritten++;
    }

    /// <summary>Writes buffered records to the stream and flushes it.</summary>
    public void Flush()
    {
        ObjectDisposedException.ThrowIf(buffer.Length == 0, this);
        FlushBuffer();
        stream.Flush();
    }

    private void FlushBuffer()
    {
        stream.Write(buffer, 0, used);
        used = 0;
    }

    public void Dispose()
    {
        if (buffer.Length == 0)
            return;
        try
        {
            Flush();
        }
        finally
        {
            ArrayPool<byte>.Shared.Return(buffer);
            buffer = [];
            if (!leaveOpen)
                stream.Dispose();
        }
    }
}
