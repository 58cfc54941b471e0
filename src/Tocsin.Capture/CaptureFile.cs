using System.Buffers.Binary;

namespace Tocsin.Capture;

/// <summary>Opens capture files, recognising classic pcap and pcapng by their magic number rather than their name.</summary>
public static class CaptureFile
{
    /// <summary>
    /// Largest record a reader accepts: a classic pcap captured length or a whole pcapng block. Real link layers stay
    /// far below it (libpcap's own limit is 256 KiB), so anything longer is treated as corruption.
    /// </summary>
    public const int MaxRecordLength = 16 * 1024 * 1024;

    /// <summary>Opens the capture at <paramref name="path"/> for sequential reading.</summary>
    /// <exception cref="CaptureFormatException">The file is not a pcap or pcapng capture, or its header is unusable.</exception>
    public static ICaptureReader Open(string path)
    {
        // The reader buffers 1 MiB reads itself, so FileStream's own buffer would only add a copy.
        var stream = new FileStream(path, FileMode.Open, FileAccess.Read, FileShare.Read, bufferSize: 0, FileOptions.SequentialScan);
        return Open(stream, path);
    }

    /// <summary>
    /// Reads a capture from <paramref name="stream"/>, which need not be seekable (a pipe, a network stream); then
    /// <see cref="ICaptureReader.Length"/> is -1. <paramref name="name"/> stands for the path in errors.
    /// </summary>
    /// <exception cref="CaptureFormatException">The stream does not hold a pcap or pcapng capture.</exception>
    public static ICaptureReader Open(Stream stream, string name, bool leaveOpen = false)
    {
        ArgumentNullException.ThrowIfNull(stream);
        ArgumentNullException.ThrowIfNull(name);
        var length = stream.CanSeek ? stream.Length - stream.Position : -1;
        var input = new ReadBuffer(stream, leaveOpen);
        try
        {
            if (!input.Ensure(4))
            {
                throw new CaptureFormatException(name, 0, input.Available == 0
                    ? "empty file, not a pcap or pcapng capture"
                    : $"not a pcap or pcapng file (only {input.Available} bytes)");
            }
            var magic = input.Peek(4);
            if (BinaryPrimitives.ReadUInt32LittleEndian(magic) == PcapNgReader.SectionHeaderType)
                return PcapNgReader.Open(name, input, length);
            return PcapReader.TryOpen(name, input, length)
                ?? throw new CaptureFormatException(name, 0, $"not a pcap or pcapng file (magic 0x{BinaryPrimitives.ReadUInt32BigEndian(magic):x8})");
        }
        catch
        {
            input.Dispose();
            throw;
        }
    }
}
