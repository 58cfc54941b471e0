using Tocsin.Testing;

namespace Tocsin.Capture.Tests;

/// <summary>Randomly damaged captures: opening may only refuse with a format error, and reading never throws.</summary>
public sealed class CorruptionTests
{
    public static TheoryData<string> SmallCaptures() =>
        new("6in6tunnel.pcap", "tk.pcap", "fuzz-2021-10-13.pcap", "dns_invert_query.pcapng", "tls_cipher_lens.pcap", "z3950.pcapng");

    [Theory]
    [MemberData(nameof(SmallCaptures))]
    public void DamagedCapturesStopCleanly(string file)
    {
        var original = File.ReadAllBytes(SharedData.NdpiPcap(file));
        var random = new Random(file.Length);
        var refused = 0;
        var stopped = 0;
        for (var round = 0; round < 500; round++)
        {
            var bytes = (byte[])original.Clone();
            for (var flips = random.Next(1, 6); flips > 0; flips--)
                bytes[random.Next(bytes.Length)] = (byte)random.Next(256);
            if (random.Next(3) == 0)
                bytes = bytes[..random.Next(bytes.Length)];

            ICaptureReader reader;
            try
            {
                reader = CaptureFile.Open(new MemoryStream(bytes), file);
            }
            catch (CaptureFormatException error)
            {
                Assert.Equal(file, error.Path);
                refused++;
                continue;
            }

            using (reader)
            {
                long count = 0;
                while (reader.TryReadNext(out var packet))
                {
                    Assert.InRange(packet.FileOffset, 0, bytes.Length - packet.Data.Length);
                    count++;
                }
                Assert.Equal(count, reader.PacketsRead);
                if (reader.Error is null)
                {
                    Assert.Equal(bytes.Length, reader.Position);
                }
                else
                {
                    Assert.InRange(reader.Error.Offset, 0, bytes.Length - 1);
                    stopped++;
                }
            }
        }
        // The damage must actually reach both kinds of failure, or this test proves nothing.
        Assert.True(refused > 0, "no damaged copy was refused");
        Assert.True(stopped > 0, "no damaged copy stopped with an error");
    }
}
