using System.Buffers.Binary;
using System.Runtime.InteropServices;
using static Tocsin.Capture.ByteOrder;

namespace Tocsin.Capture;

/// <summary>
/// pcapng: sections with their own byte order, interfaces with their own link type, snap length and timestamp
/// resolution, and the three packet blocks (enhanced, simple, obsolete). Every other block is framed, checked
/// and skipped.
/// </summary>
internal sealed class PcapNgReader : CaptureReader
{
    internal const uint SectionHeaderType = 0x0A0D0D0A;
    private const uint InterfaceDescriptionType = 1;
    private const uint ObsoletePacketType = 2;
    private const uint SimplePacketType = 3;
    private const uint EnhancedPacketType = 6;
    private const uint ByteOrderMagic = 0x1A2B3C4D;

    // Type, leading length and trailing length: the frame every block shares.
    private const int BlockFrameLength = 12;
    private const int SectionHeaderMinLength = 28;
    private const int InterfaceDescriptionMinLength = 20;
    private const int SimplePacketMinLength = 16;
    private const int PacketMinLength = 32;
    private const int PacketDataOffset = 28;

    private const ushort EndOfOptions = 0;
    private const ushort TimestampResolutionOption = 9;
    private const ushort TimestampOffsetOption = 14;
    private const ulong NanosecondsPerSecond = 1_000_000_000;

    private bool reverse;
    private Interface[] interfaces = new Interface[4];
    private int interfaceCount;
    private long lastTimestampNs;

    private PcapNgReader(string path, ReadBuffer input, long length)
        : base(path, input, length)
    {
    }

    public override CaptureFormat Format => CaptureFormat.PcapNg;

    internal static PcapNgReader Open(string path, ReadBuffer input, long length)
    {
        var reader = new PcapNgReader(path, input, length);
        // Without a usable first section header there is no byte order to read anything else with.
        var reason = reader.ReadBlockFrame(out var block) ?? reader.ReadSectionHeader(block);
        if (reason is not null)
            throw new CaptureFormatException(path, 0, reason);
        input.Advance(block.Length);
        return reader;
    }

    public override bool TryReadNext(out RawPacket packet)
    {
        packet = default;
        if (Finished)
            return false;

        while (true)
        {
            var offset = Input.Position;
            var reason = ReadBlockFrame(out var block);
            if (reason is null)
            {
                if (block.IsEmpty)
                    return End();

                var type = Read32(block, 0, reverse);
                reason = type switch
                {
                    EnhancedPacketType => ReadPacket(block, Read32(block, 8, reverse), offset, out packet),
                    ObsoletePacketType => ReadPacket(block, Read16(block, 8, reverse), offset, out packet),
                    SimplePacketType => ReadSimplePacket(block, offset, out packet),
                    SectionHeaderType => ReadSectionHeader(block),
                    InterfaceDescriptionType => ReadInterfaceDescription(block),
                    // Name resolution, statistics, decryption secrets, custom blocks: nothing a packet reader needs.
                    _ => null,
                };
                if (reason is null)
                {
                    Input.Advance(block.Length);
                    if (type is EnhancedPacketType or ObsoletePacketType or SimplePacketType)
                    {
                        PacketsRead++;
                        return true;
                    }
                    continue;
                }
            }
            packet = default;
            return Stop(offset, reason);
        }
    }

    /// <summary>
    /// Frames the next whole block (length fields checked, trailer included) without consuming it. Null with an
    /// empty block means a clean end of file; otherwise a non-null result is why the block is unusable.
    /// </summary>
    private string? ReadBlockFrame(out ReadOnlySpan<byte> block)
    {
        block = default;
        var input = Input;
        if (!input.Ensure(BlockFrameLength))
            return input.Available == 0 ? null : $"truncated block header: {input.Available} of {BlockFrameLength} bytes";

        var head = input.Peek(BlockFrameLength);
        // The section header type reads the same in both byte orders; its byte-order magic sets the section's order.
        if (MemoryMarshal.Read<uint>(head) == SectionHeaderType)
        {
            var magic = MemoryMarshal.Read<uint>(head[8..]);
            if (magic == ByteOrderMagic)
                reverse = false;
            else if (magic == BinaryPrimitives.ReverseEndianness(ByteOrderMagic))
                reverse = true;
            else
                return $"section header block with an invalid byte-order magic 0x{BinaryPrimitives.ReadUInt32BigEndian(head[8..]):x8}";
        }

        var blockLength = Read32(head, 4, reverse);
        if (blockLength < BlockFrameLength || blockLength % 4 != 0 || blockLength > CaptureFile.MaxRecordLength)
        {
            return $"corrupt block: total length {blockLength} is not a multiple of 4 between {BlockFrameLength} and {CaptureFile.MaxRecordLength}";
        }
        if (!input.Ensure((int)blockLength))
            return $"truncated block: header announces {blockLength} bytes, {input.Available} remain";

        block = input.Peek((int)blockLength);
        var trailer = Read32(block, block.Length - 4, reverse);
        return trailer == blockLength
            ? null
            : $"corrupt block: trailing length {trailer} differs from leading length {blockLength}";
    }

    private string? ReadSectionHeader(ReadOnlySpan<byte> block)
    {
        if (block.Length < SectionHeaderMinLength)
            return TooShort("section header", block.Length, SectionHeaderMinLength);

        var major = Read16(block, 12, reverse);
        var minor = Read16(block, 14, reverse);
        // Any 1.x is read: libpcap takes 1.0 and 1.2 only (1.2 from tools that add block types), but no other minor
        // version exists and blocks this reader does not know are skipped anyway.
        if (major != 1)
            return $"unsupported pcapng version {major}.{minor}";

        // Interface ids are per section.
        interfaceCount = 0;
        return null;
    }

    private string? ReadInterfaceDescription(ReadOnlySpan<byte> block)
    {
        if (block.Length < InterfaceDescriptionMinLength)
            return TooShort("interface description", block.Length, InterfaceDescriptionMinLength);

        var linkType = (LinkType)Read16(block, 8, reverse);
        var snapLength = Read32(block, 12, reverse);
        var ticksPerSecond = 1_000_000UL;
        var offsetNs = 0L;
        var options = block[16..^4];
        while (options.Length >= 4)
        {
            var code = Read16(options, 0, reverse);
            var valueLength = Read16(options, 2, reverse);
            if (code == EndOfOptions)
                break;
            if (4 + valueLength > options.Length)
                return $"corrupt interface description block: option {code} of {valueLength} bytes overruns the block";

            var value = options.Slice(4, valueLength);
            if (code == TimestampResolutionOption
                && (valueLength != 1 || !TryGetTicksPerSecond(value[0], out ticksPerSecond)))
            {
                return $"corrupt interface description block: unusable if_tsresol 0x{Convert.ToHexString(value)}";
            }
            if (code == TimestampOffsetOption)
            {
                const long maxSeconds = long.MaxValue / (long)NanosecondsPerSecond;
                var seconds = valueLength == 8 ? Read64(value, 0, reverse) : long.MaxValue;
                if (seconds is > maxSeconds or < -maxSeconds)
                    return $"corrupt interface description block: unusable if_tsoffset 0x{Convert.ToHexString(value)}";
                offsetNs = seconds * (long)NanosecondsPerSecond;
            }
            options = options[Math.Min(options.Length, 4 + ((valueLength + 3) & ~3))..];
        }

        if (interfaceCount == interfaces.Length)
            Array.Resize(ref interfaces, interfaceCount * 2);
        interfaces[interfaceCount++] = new Interface(linkType, snapLength, ticksPerSecond, offsetNs);
        return null;
    }

    /// <summary>Enhanced and obsolete packet blocks share their layout except for the width of the interface id.</summary>
    private string? ReadPacket(ReadOnlySpan<byte> block, uint interfaceId, long offset, out RawPacket packet)
    {
        packet = default;
        if (block.Length < PacketMinLength)
            return TooShort("packet", block.Length, PacketMinLength);
        if (interfaceId >= (uint)interfaceCount)
            return $"packet references undefined interface {interfaceId} (the section defines {interfaceCount})";

        var ticks = (ulong)Read32(block, 12, reverse) << 32 | Read32(block, 16, reverse);
        var capturedLength = Read32(block, 20, reverse);
        var wireLength = Read32(block, 24, reverse);
        var room = block.Length - PacketMinLength;
        if (capturedLength > (uint)room)
            return $"corrupt packet block: captured length {capturedLength} exceeds its {room} data bytes";

        ref readonly var source = ref interfaces[interfaceId];
        lastTimestampNs = source.ToNanoseconds(ticks);
        packet = new RawPacket(block.Slice(PacketDataOffset, (int)capturedLength), lastTimestampNs, WireLength(wireLength),
            source.LinkType, (int)interfaceId, offset);
        return null;
    }

    /// <summary>A simple packet belongs to interface 0 and has no timestamp: it inherits the previous packet's.</summary>
    private string? ReadSimplePacket(ReadOnlySpan<byte> block, long offset, out RawPacket packet)
    {
        packet = default;
        if (block.Length < SimplePacketMinLength)
            return TooShort("simple packet", block.Length, SimplePacketMinLength);
        if (interfaceCount == 0)
            return "simple packet block without an interface description (it implies interface 0)";

        ref readonly var source = ref interfaces[0];
        var wireLength = Read32(block, 8, reverse);
        var capturedLength = Math.Min(wireLength, (uint)(block.Length - SimplePacketMinLength));
        if (source.SnapLength != 0)
            capturedLength = Math.Min(capturedLength, source.SnapLength);
        packet = new RawPacket(block.Slice(12, (int)capturedLength), lastTimestampNs, WireLength(wireLength),
            source.LinkType, 0, offset);
        return null;
    }

    private static string TooShort(string kind, int length, int minimum) =>
        $"corrupt {kind} block: total length {length} is below its minimum of {minimum}";

    /// <summary>if_tsresol: a negative power of 10, or of 2 when the high bit is set.</summary>
    private static bool TryGetTicksPerSecond(byte resolution, out ulong ticksPerSecond)
    {
        var exponent = resolution & 0x7F;
        if ((resolution & 0x80) != 0)
        {
            ticksPerSecond = exponent < 64 ? 1UL << exponent : 0;
            return ticksPerSecond != 0;
        }
        ticksPerSecond = 1;
        if (exponent > 19)
            return false;
        for (var i = 0; i < exponent; i++)
            ticksPerSecond *= 10;
        return true;
    }

    private readonly struct Interface
    {
        private readonly ulong ticksPerSecond;
        private readonly long offsetNs;

        // Whole nanoseconds per tick for the usual resolutions (µs, ns, 2^-9...), which then convert with one multiply.
        private readonly ulong nanosecondsPerTick;

        public Interface(LinkType linkType, uint snapLength, ulong ticksPerSecond, long offsetNs)
        {
            LinkType = linkType;
            SnapLength = snapLength;
            this.ticksPerSecond = ticksPerSecond;
            this.offsetNs = offsetNs;
            nanosecondsPerTick = NanosecondsPerSecond % ticksPerSecond == 0 ? NanosecondsPerSecond / ticksPerSecond : 0;
        }

        public LinkType LinkType { get; }

        public uint SnapLength { get; }

        public long ToNanoseconds(ulong ticks)
        {
            if (nanosecondsPerTick != 0)
                return (long)(ticks * nanosecondsPerTick) + offsetNs;
            var seconds = ticks / ticksPerSecond;
            var fraction = (ulong)((UInt128)(ticks % ticksPerSecond) * NanosecondsPerSecond / ticksPerSecond);
            return (long)(seconds * NanosecondsPerSecond + fraction) + offsetNs;
        }
    }
}
