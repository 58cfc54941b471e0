namespace Tocsin.Capture;

public enum CaptureFormat { Pcap, PcapNg }

/// <summary>Sequential reader over one capture file.</summary>
public interface ICaptureReader : IDisposable
{
    string Path { get; }
    CaptureFormat Format { get; }

    /// <summary>Reads the next packet. False at the end of the file, or when reading had to stop (see <see cref="Error"/>).</summary>
    bool TryReadNext(out RawPacket packet);

    /// <summary>Set when reading stopped before a clean end of file (truncated or corrupt record).</summary>
    CaptureError? Error { get; }

    long PacketsRead { get; }

    /// <summary>Bytes consumed so far (for progress reporting).</summary>
    long Position { get; }

    /// <summary>Total file length in bytes, or -1 when unknown (a pipe).</summary>
    long Length { get; }
}
