using System.Buffers.Binary;

namespace Tocsin.Testing;

/// <summary>
/// Builds classic pcap files byte by byte for tests, including the variants a production writer never produces:
/// big-endian, the "modified" (Kuznetzov) record header, old versions with swapped length fields, and records whose
/// header and data disagree. Use <c>Tocsin.Capture.PcapWriter</c> for ordinary files.
/// </summary>
public sealed class PcapFileBuilder
{
    public const uint MicrosecondMagic = 0xA1B2C3D4;
    public const uint NanosecondMagic = 0xA1B23C4D;
    public const uint ModifiedMagic = 0xA1B2CD34;
    public const int FileHeaderLength = 24;

    private readonly MemoryStream output = new();
    private readonly bool bigEndian;
    private readonly uint magic;

    /// <param name="linkType">The raw link-type field, so tests can set its FCS or reserved bits.</param>
    public PcapFileBuilder(uint magic = MicrosecondMagic, bool bigEndian = false, ushort versionMajor = 2,
        ushort versionMinor = 4, uint snapLength = 262144, uint linkType = 1)
    {
        this.magic = magic;
        this.bigEndian = bigEndian;
        Write32(magic);
        Write16(versionMajor);
        Write16(versionMinor);
        Write32(0);
        Write32(0);
        Write32(snapLength);
        Write32(linkType);
    }

    /// <summary>Record header length for this magic: 24 for the modified format, 16 otherwise.</summary>
    public int RecordHeaderLength => magic == ModifiedMagic ? 24 : 16;

    public long Length => output.Length;

    /// <summary>Appends a whole record and returns its offset. <paramref name="fraction"/> is in µs or ns per the magic.</summary>
    public long Record(uint seconds, uint fraction, ReadOnlySpan<byte> data, uint? originalLength = null, bool lengthsSwapped = false)
    {
        var offset = RecordHeader(seconds, fraction, (uint)data.Length, originalLength ?? (uint)data.Length, lengthsSwapped);
        output.Write(data);
        return offset;
    }

    /// <summary>
    /// Appends only a record header announcing <paramref name="capturedLength"/> bytes (follow with
    /// <see cref="Append"/>, or not, to truncate). With <paramref name="lengthsSwapped"/> the file holds len before
    /// caplen, as pcap versions before 2.3 wrote them.
    /// </summary>
    public long RecordHeader(uint seconds, uint fraction, uint capturedLength, uint originalLength, bool lengthsSwapped = false)
    {
        var offset = output.Length;
        Write32(seconds);
        Write32(fraction);
        Write32(lengthsSwapped ? originalLength : capturedLength);
        Write32(lengthsSwapped ? capturedLength : originalLength);
        if (magic == ModifiedMagic)
        {
            Write32(1); // ifindex
            Write16(0x0800); // protocol
            output.WriteByte(0); // pkt_type: to us
            output.WriteByte(0); // padding
        }
        return offset;
    }

    /// <summary>Appends raw bytes and returns their offset.</summary>
    public long Append(ReadOnlySpan<byte> bytes)
    {
        var offset = output.Length;
        output.Write(bytes);
        return offset;
    }

    public byte[] ToArray() => output.ToArray();

    public void Save(string path) => File.WriteAllBytes(path, output.ToArray());

    private void Write16(ushort value)
    {
        Span<byte> bytes = stackalloc byte[2];
        if (bigEndian)
            BinaryPrimitives.WriteUInt16BigEndian(bytes, value);
        else
            BinaryPrimitives.WriteUInt16LittleEndian(bytes, value);
        output.Write(bytes);
    }

    private void Write32(uint value)
    {
        Span<byte> bytes = stackalloc byte[4];
        if (bigEndian)
            BinaryPrimitives.WriteUInt32BigEndian(bytes, value);
        else
            BinaryPrimitives.WriteUInt32LittleEndian(bytes, value);
        output.Write(bytes);
    }
}
