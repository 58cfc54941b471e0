namespace Tocsin.Capture;

/// <summary>
/// One captured frame as read from a capture file. <see cref="Data"/> points into the reader's buffer and is
/// valid only until the next read: copy it if it must outlive the call.
/// </summary>
public readonly ref struct RawPacket
{
    public RawPacket(ReadOnlySpan<byte> data, long timestampNs, int originalLength, LinkType linkType, int interfaceId, long fileOffset)
    {
        Data = data;
        TimestampNs = timestampNs;
        OriginalLength = originalLength;
        LinkType = linkType;
        InterfaceId = interfaceId;
        FileOffset = fileOffset;
    }

    /// <summary>The captured bytes (the record's caplen).</summary>
    public ReadOnlySpan<byte> Data { get; }

    /// <summary>Nanoseconds since the Unix epoch, UTC.</summary>
    public long TimestampNs { get; }

    /// <summary>Length of the frame on the wire (may exceed <c>Data.Length</c> when the capture was snapped).</summary>
    public int OriginalLength { get; }

    public LinkType LinkType { get; }

    /// <summary>pcapng interface index; always 0 for classic pcap.</summary>
    public int InterfaceId { get; }

    /// <summary>Byte offset of this packet's record in the file.</summary>
    public long FileOffset { get; }
}
