using System.Buffers.Binary;
using static Tocsin.Capture.ByteOrder;

namespace Tocsin.Capture;

/// <summary>
/// Classic libpcap format in either byte order: microsecond and nanosecond magics, the "modified" (Kuznetzov)
/// variant with 24-byte record headers, and pre-2.3 files whose record headers swap caplen and len.
/// </summary>
internal sealed class PcapReader : CaptureReader
{
    internal const uint MicrosecondMagic = 0xA1B2C3D4;
    internal const uint NanosecondMagic = 0xA1B23C4D;
    internal const uint ModifiedMagic = 0xA1B2CD34;
    internal const int FileHeaderLength = 24;

    private const int RecordHeaderLength = 16;
    private const int ModifiedRecordHeaderLength = 24;

    // Bits 26-31 of the link-type field carry FCS information; bits 16-25 are reserved.
    private const uint LinkTypeMask = 0x03FFFFFF;

    private readonly bool reverse;
    private readonly int recordHeaderLength;
    private readonly uint nanosecondsPerFraction;
    private readonly LengthOrder lengthOrder;
    private readonly LinkType linkType;

    private PcapReader(string path, ReadBuffer input, long length, bool reverse, uint magic, LengthOrder lengthOrder, LinkType linkType)
        : base(path, input, length)
    {
        this.reverse = reverse;
        this.lengthOrder = lengthOrder;
        this.linkType = linkType;
        recordHeaderLength = magic == ModifiedMagic ? ModifiedRecordHeaderLength : RecordHeaderLength;
        nanosecondsPerFraction = magic == NanosecondMagic ? 1u : 1000u;
    }

    /// <summary>How the caplen and len fields are ordered, as libpcap's sf-pcap.c decides from the version.</summary>
    private enum LengthOrder
    {
        Normal,

        /// <summary>Before 2.3, and DG/UX's 543.0, len came before caplen.</summary>
        Swapped,

        /// <summary>Some 2.3 writers kept the old order: swap only where caplen would exceed len.</summary>
        SwappedIfCapturedExceedsWire,
    }

    public override CaptureFormat Format => CaptureFormat.Pcap;

    /// <summary>Null when the magic is not a classic pcap one; throws when it is but the header is unusable.</summary>
    internal static PcapReader? TryOpen(string path, ReadBuffer input, long length)
    {
        var magic = BinaryPrimitives.ReadUInt32LittleEndian(input.Peek(4));
        var reverse = false;
        if (!IsPcapMagic(magic))
        {
            magic = BinaryPrimitives.ReverseEndianness(magic);
            if (!IsPcapMagic(magic))
                return null;
            reverse = true;
        }
        // Magic read little-endian: reverse means a big-endian file, which needs swapping only on little-endian hosts.
        reverse ^= !BitConverter.IsLittleEndian;

        if (!input.Ensure(FileHeaderLength))
            throw new CaptureFormatException(path, 0, $"truncated pcap file header: {input.Available} of {FileHeaderLength} bytes");

        var header = input.Peek(FileHeaderLength);
        var major = Read16(header, 4, reverse);
        var minor = Read16(header, 6, reverse);
        var lengthOrder = (major, minor) switch
        {
            (2, < 3) or (543, 0) => LengthOrder.Swapped,
            (2, 3) => LengthOrder.SwappedIfCapturedExceedsWire,
            (2, 4) => LengthOrder.Normal,
            _ => throw new CaptureFormatException(path, 4, $"unsupported pcap version {major}.{minor}"),
        };

        var linkTypeField = Read32(header, 20, reverse);
        var linkType = linkTypeField & LinkTypeMask;
        if (linkType > ushort.MaxValue)
            throw new CaptureFormatException(path, 20, $"invalid link-type field 0x{linkTypeField:x8} (reserved bits set)");

        input.Advance(FileHeaderLength);
        return new PcapReader(path, input, length, reverse, magic, lengthOrder, (LinkType)linkType);
    }

    private static bool IsPcapMagic(uint magic) => magic is MicrosecondMagic or NanosecondMagic or ModifiedMagic;

    public override bool TryReadNext(out RawPacket packet)
    {
        packet = default;
        if (Finished)
            return false;

        var input = Input;
        var offset = input.Position;
        var headerLength = recordHeaderLength;
        if (!input.Ensure(headerLength))
        {
            return input.Available == 0
                ? End()
                : Stop(offset, $"truncated record header: {input.Available} of {headerLength} bytes");
        }

        var header = input.Peek(headerLength);
        var seconds = Read32(header, 0, reverse);
        var fraction = Read32(header, 4, reverse);
        var capturedLength = Read32(header, 8, reverse);
        var wireLength = Read32(header, 12, reverse);
        if (lengthOrder != LengthOrder.Normal
            && (lengthOrder == LengthOrder.Swapped || capturedLength > wireLength))
        {
            (capturedLength, wireLength) = (wireLength, capturedLength);
        }

        if (capturedLength > CaptureFile.MaxRecordLength)
        {
            return Stop(offset, $"corrupt packet record: captured length {capturedLength} exceeds the maximum of {CaptureFile.MaxRecordLength} bytes");
        }

        var recordLength = headerLength + (int)capturedLength;
        if (!input.Ensure(recordLength))
        {
            return Stop(offset, $"truncated packet record: header announces {capturedLength} bytes, {input.Available - headerLength} remain");
        }

        var data = input.Peek(recordLength)[headerLength..];
        input.Advance(recordLength);
        PacketsRead++;
        var timestamp = seconds * 1_000_000_000L + fraction * (long)nanosecondsPerFraction;
        packet = new RawPacket(data, timestamp, WireLength(wireLength), linkType, 0, offset);
        return true;
    }
}
