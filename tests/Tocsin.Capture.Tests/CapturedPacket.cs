namespace Tocsin.Capture.Tests;

/// <summary>A copy of a <see cref="RawPacket"/>, whose data is only valid until the next read.</summary>
internal sealed record CapturedPacket(byte[] Data, long TimestampNs, int OriginalLength, LinkType LinkType, int InterfaceId, long FileOffset)
{
    public static List<CapturedPacket> ReadAll(ICaptureReader reader)
    {
        var packets = new List<CapturedPacket>();
        while (reader.TryReadNext(out var packet))
        {
            packets.Add(new CapturedPacket(packet.Data.ToArray(), packet.TimestampNs, packet.OriginalLength, packet.LinkType,
                packet.InterfaceId, packet.FileOffset));
        }
        // Reading stays stopped: the end, clean or not, is final.
        Assert.False(reader.TryReadNext(out _));
        Assert.Equal(packets.Count, reader.PacketsRead);
        return packets;
    }

    public static List<CapturedPacket> ReadAll(string path)
    {
        using var reader = CaptureFile.Open(path);
        return ReadAll(reader);
    }

    /// <summary>Deterministic, index-dependent frame content, so a misplaced byte shows.</summary>
    public static byte[] Frame(int length, int seed)
    {
        var frame = new byte[length];
        for (var i = 0; i < length; i++)
            frame[i] = (byte)(i * 31 + seed * 7 + (i >> 8));
        return frame;
    }
}
