namespace Tocsin.Testing;

/// <summary>
/// Read-only, non-seekable view of a byte array that hands out data in small, uneven pieces, as a pipe or a socket
/// does: for testing readers that must not rely on Length, Seek or full reads.
/// </summary>
public sealed class NonSeekableStream(byte[] data, int maxChunk = 4093, int seed = 1) : Stream
{
    private readonly Random random = new(seed);
    private int position;

    public override bool CanRead => true;

    public override bool CanSeek => false;

    public override bool CanWrite => false;

    public override long Length => throw new NotSupportedException();

    public override long Position
    {
        get => throw new NotSupportedException();
        set => throw new NotSupportedException();
    }

    public override int Read(byte[] buffer, int offset, int count) => Read(buffer.AsSpan(offset, count));

    public override int Read(Span<byte> buffer)
    {
        var count = Math.Min(Math.Min(buffer.Length, data.Length - position), random.Next(1, maxChunk + 1));
        data.AsSpan(position, count).CopyTo(buffer);
        position += count;
        return count;
    }

    public override void Flush()
    {
    }

    public override long Seek(long offset, SeekOrigin origin) => throw new NotSupportedException();

    public override void SetLength(long value) => throw new NotSupportedException();

    public override void Write(byte[] buffer, int offset, int count) => throw new NotSupportedException();
}
