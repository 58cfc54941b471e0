using System.Buffers.Binary;
using System.Text;
using Tocsin.Capture;

namespace Tocsin.Testing;

/// <summary>
/// Builds pcapng files block by block for tests: sections in either byte order, interfaces with any link type,
/// snap length and timestamp options, the three packet blocks, arbitrary other blocks, and deliberately broken
/// framing. Nothing is validated (a packet may name an undefined interface), so tests can build bad files too.
/// Every block method returns the block's offset in the file, for asserting error offsets.
/// </summary>
public sealed class PcapNgBuilder
{
    public const uint SectionHeaderBlockType = 0x0A0D0D0A;
    public const uint InterfaceDescriptionBlockType = 1;
    public const uint ObsoletePacketBlockType = 2;
    public const uint SimplePacketBlockType = 3;
    public const uint NameResolutionBlockType = 4;
    public const uint InterfaceStatisticsBlockType = 5;
    public const uint EnhancedPacketBlockType = 6;
    public const uint DecryptionSecretsBlockType = 10;
    public const uint CustomBlockType = 0x00000BAD;

    private const ushort IfNameOption = 2;
    private const ushort IfTsresolOption = 9;
    private const ushort IfTsoffsetOption = 14;

    private readonly MemoryStream output = new();
    private readonly List<byte> interfaceResolutions = [];
    private readonly MemoryStream body = new();
    private bool bigEndian;

    public long Length => output.Length;

    /// <summary>Interfaces defined in the current section; their ids are 0, 1, ... in the order they were added.</summary>
    public int InterfaceCount => interfaceResolutions.Count;

    /// <summary>Starts a section: later blocks use its byte order, and interface ids start again at 0.</summary>
    public long Section(bool bigEndian = false, ushort majorVersion = 1, ushort minorVersion = 0)
    {
        this.bigEndian = bigEndian;
        interfaceResolutions.Clear();
        Body32(0x1A2B3C4D);
        Body16(majorVersion);
        Body16(minorVersion);
        Body64(-1); // section length: not specified
        return EmitBlock(SectionHeaderBlockType);
    }

    /// <param name="timestampResolution">Raw if_tsresol: 10^-n, or 2^-n with the high bit set; null leaves the µs default.</param>
    /// <param name="timestampOffsetSeconds">if_tsoffset, added to every timestamp of the interface.</param>
    public long Interface(LinkType linkType, uint snapLength = 0, byte? timestampResolution = null,
        long? timestampOffsetSeconds = null, string? name = null)
    {
        interfaceResolutions.Add(timestampResolution ?? 6);
        Body16((ushort)linkType);
        Body16(0);
        Body32(snapLength);
        if (name is not null)
            BodyOption(IfNameOption, Encoding.UTF8.GetBytes(name));
        if (timestampResolution is { } resolution)
            BodyOption(IfTsresolOption, [resolution]);
        if (timestampOffsetSeconds is { } offset)
        {
            var value = new byte[8];
            if (bigEndian)
                BinaryPrimitives.WriteInt64BigEndian(value, offset);
            else
                BinaryPrimitives.WriteInt64LittleEndian(value, offset);
            BodyOption(IfTsoffsetOption, value);
        }
        if (name is not null || timestampResolution is not null || timestampOffsetSeconds is not null)
            BodyOption(0, []);
        return EmitBlock(InterfaceDescriptionBlockType);
    }

    /// <summary>Enhanced packet with a timestamp in the interface's own units (see <see cref="ToUnits"/>).</summary>
    public long EnhancedPacket(int interfaceId, ulong timestamp, ReadOnlySpan<byte> data, int originalLength = -1)
    {
        Body32((uint)interfaceId);
        BodyPacket(timestamp, data, originalLength);
        return EmitBlock(EnhancedPacketBlockType);
    }

    /// <summary>Enhanced packet at <paramref name="timestampNs"/>, converted to the interface's resolution.</summary>
    public long EnhancedPacketAt(int interfaceId, long timestampNs, ReadOnlySpan<byte> data, int originalLength = -1) =>
        EnhancedPacket(interfaceId, ToUnits(timestampNs, interfaceResolutions[interfaceId]), data, originalLength);

    /// <summary>Simple packet: implicitly interface 0, no timestamp, only the original length is stored.</summary>
    public long SimplePacket(ReadOnlySpan<byte> data, int originalLength = -1)
    {
        Body32((uint)(originalLength < 0 ? data.Length : originalLength));
        BodyPadded(data);
        return EmitBlock(SimplePacketBlockType);
    }

    /// <summary>Obsolete packet block (type 2), which has a 16-bit interface id and a drops counter.</summary>
    public long ObsoletePacket(int interfaceId, ulong timestamp, ReadOnlySpan<byte> data, int originalLength = -1)
    {
        Body16((ushort)interfaceId);
        Body16(0);
        BodyPacket(timestamp, data, originalLength);
        return EmitBlock(ObsoletePacketBlockType);
    }

    /// <summary>
    /// Any block with a raw body (padded to 4 bytes). <paramref name="totalLength"/> and
    /// <paramref name="trailingLength"/> override the two length fields to build corrupt blocks.
    /// </summary>
    public long Block(uint type, ReadOnlySpan<byte> blockBody, uint? totalLength = null, uint? trailingLength = null)
    {
        BodyPadded(blockBody);
        return EmitBlock(type, totalLength, trailingLength);
    }

    /// <summary>Appends raw bytes (a cut-off block, garbage) and returns their offset.</summary>
    public long Append(ReadOnlySpan<byte> bytes)
    {
        var offset = output.Length;
        output.Write(bytes);
        return offset;
    }

    public byte[] ToArray() => output.ToArray();

    public void Save(string path) => File.WriteAllBytes(path, output.ToArray());

    /// <summary>Converts nanoseconds to if_tsresol units, rounding down.</summary>
    public static ulong ToUnits(long timestampNs, byte timestampResolution)
    {
        var exponent = timestampResolution & 0x7F;
        UInt128 ticksPerSecond = 1;
        for (var i = 0; i < exponent; i++)
            ticksPerSecond *= (timestampResolution & 0x80) != 0 ? 2u : 10u;
        return (ulong)((UInt128)(ulong)timestampNs * ticksPerSecond / 1_000_000_000);
    }

    private void BodyPacket(ulong timestamp, ReadOnlySpan<byte> data, int originalLength)
    {
        Body32((uint)(timestamp >> 32));
        Body32((uint)timestamp);
        Body32((uint)data.Length);
        Body32((uint)(originalLength < 0 ? data.Length : originalLength));
        BodyPadded(data);
    }

    private void BodyOption(ushort code, ReadOnlySpan<byte> value)
    {
        Body16(code);
        Body16((ushort)value.Length);
        BodyPadded(value);
    }

    private void BodyPadded(ReadOnlySpan<byte> bytes)
    {
        body.Write(bytes);
        for (var i = bytes.Length; i % 4 != 0; i++)
            body.WriteByte(0);
    }

    private void Body16(ushort value) => WriteNumber(body, value, 2);

    private void Body32(uint value) => WriteNumber(body, value, 4);

    private void Body64(long value) => WriteNumber(body, (ulong)value, 8);

    private long EmitBlock(uint type, uint? totalLength = null, uint? trailingLength = null)
    {
        var offset = output.Length;
        var length = (uint)body.Length + 12;
        WriteNumber(output, type, 4);
        WriteNumber(output, totalLength ?? length, 4);
        body.Position = 0;
        body.CopyTo(output);
        WriteNumber(output, trailingLength ?? totalLength ?? length, 4);
        body.SetLength(0);
        return offset;
    }

    private void WriteNumber(Stream stream, ulong value, int size)
    {
        Span<byte> bytes = stackalloc byte[8];
        if (bigEndian)
            BinaryPrimitives.WriteUInt64BigEndian(bytes, value << (64 - size * 8));
        else
            BinaryPrimitives.WriteUInt64LittleEndian(bytes, value);
        stream.Write(bytes[..size]);
    }
}
