using Tocsin.Capture;
using Tocsin.Decode;

namespace Tocsin.Bench;

/// <summary>
/// Builds the benchmark capture: every Ethernet capture of a folder, played N times at once into one pcap, as a busy
/// link carries many users. Each copy's IP addresses are rewritten (one byte XORed with the copy number) so every copy
/// makes new flows and hosts; the captures are laid end to end with gaps over a second shortened to one, and the
/// copies of a packet share its timestamp. (Copies laid end to end instead made a link of 25 packets a second, where
/// the once-a-minute work dominated what a busy link would show.)
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
            foreach (var (gap, frame, wire) in frames)
            {
                ts += gap;
                for (int copy = 0; copy < copies; copy++)
                {
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

    /// <summary>
    /// Changes two bytes of each address, the second by an amount that depends on the address itself, so that one
    /// address changes the same way in both directions but the two ends of a flow do not change alike (nDPI keys
    /// some caches on both addresses XORed, which a same-for-all change would leave equal across copies).
    /// Checksums are left stale: nothing on this path verifies them.
    /// </summary>
    private static void Rewrite(Span<byte> frame, in DecodedPacket p, byte copy)
    {
        if (p.IpVersion == 4)
        {
            Rewrite(frame.Slice(p.L3Offset + 12, 4), copy);
            Rewrite(frame.Slice(p.L3Offset + 16, 4), copy);
        }
        else
        {
            Rewrite(frame.Slice(p.L3Offset + 8 + 4, 4), copy);
            Rewrite(frame.Slice(p.L3Offset + 24 + 4, 4), copy);
        }
    }

    private static void Rewrite(Span<byte> address, byte copy)
    {
        address[1] ^= copy;
        address[2] ^= (byte)(copy * (address[3] | 1));
    }
}
