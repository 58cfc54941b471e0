using Tocsin.Capture;
using Tocsin.Decode;

namespace Tocsin.Bench;

/// <summary>
/// Builds the benchmark capture: every Ethernet capture of a folder, copied N times into one pcap. Each copy's IP
/// addresses are rewritten (one byte XORed with the copy number) so every copy makes new flows and hosts, and
/// timestamps are laid end to end (gaps over a second shortened to one) so the capture clock runs forward as
/// it would on a live link.
/// </summary>
public static class BenchCapture
{
    public static int Make(string output, string sourceDir, int copies)
    {
        var frames = new List<(long Gap, byte[] Frame, int Wire)>();
        foreach (var path in Directory.EnumerateFiles(sourceDir).Order(StringComparer.Ordinal))
        {
            ICaptureReader reader;
            try
            {
                reader = CaptureFile.Open(path);
            }
            catch (CaptureFormatException)
            {
                continue;
            }
            using (reader)
            {
                long previous = -1;
                while (reader.TryReadNext(out var p))
                {
                    if (p.LinkType != LinkType.Ethernet)
                        break;
                    long gap = previous < 0 ? 1_000 : Math.Clamp(p.TimestampNs - previous, 0, 1_000_000_000);
                    previous = p.TimestampNs;
                    frames.Add((gap, p.Data.ToArray(), p.OriginalLength));
                }
            }
        }

        var decoder = new PacketDecoder();
        DecodedPacket decoded = default;
        long ts = 1_700_000_000L * 1_000_000_000;
        long packets = 0;
        using (var writer = new PcapWriter(output, LinkType.Ethernet))
        {
            var buffer = new byte[70_000];
            for (int copy = 0; copy < copies; copy++)
            {
                foreach (var (gap, frame, wire) in frames)
                {
                    ts += gap;
                    var span = buffer.AsSpan(0, frame.Length);
                    frame.CopyTo(span);
                    if (copy > 0 && decoder.Decode(span, LinkType.Ethernet, wire, ref decoded) == DecodeResult.Ip && decoded.Tunnel == TunnelKind.None)
                        Rewrite(span, decoded, (byte)copy);
                    writer.Write(ts, span, wire);
                    packets++;
                }
            }
        }
        Console.WriteLine($"{output}: {packets} packets ({frames.Count} per copy, {copies} copies), {new FileInfo(output).Length} bytes");
        return 0;
    }

    /// <summary>XORs one address byte of both ends (checksums are left stale: nothing on this path verifies them).</summary>
    private static void Rewrite(Span<byte> frame, in DecodedPacket p, byte copy)
    {
        if (p.IpVersion == 4)
        {
            frame[p.L3Offset + 12 + 1] ^= copy;
            frame[p.L3Offset + 16 + 1] ^= copy;
        }
        else
        {
            frame[p.L3Offset + 8 + 5] ^= copy;
            frame[p.L3Offset + 24 + 5] ^= copy;
        }
    }
}
