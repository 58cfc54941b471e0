using System.Buffers;
using System.Numerics;
using System.Runtime.CompilerServices;

namespace Tocsin.Capture;

/// <summary>
/// Sequential window over a stream through one pooled buffer, so that readers hand out spans into it instead of
/// allocating per packet. A span returned by <see cref="Peek"/> stays valid until the next <see cref="Ensure"/>,
/// which may move the unread bytes to the front of the buffer or replace the buffer.
/// </summary>
internal sealed class ReadBuffer : IDisposable
{
    internal const int InitialCapacity = 1 << 20;

    private readonly Stream stream;
    private readonly bool leaveOpen;
    private byte[] buffer;
    private int start;
    private int end;
    private long bufferOffset;
    private bool endOfStream;

    public ReadBuffer(Stream stream, bool leaveOpen)
    {
        this.stream = stream;
        this.leaveOpen = leaveOpen;
        buffer = ArrayPool<byte>.Shared.Rent(InitialCapacity);
    }

    /// <summary>Unread bytes already in the buffer.</summary>
    public int Available => end - start;

    /// <summary>Stream offset of the next unread byte, counted from where reading started.</summary>
    public long Position => bufferOffset + start;

    /// <summary>True when <paramref name="count"/> bytes are available; false only at the end of the stream.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public bool Ensure(int count) => end - start >= count || Fill(count);

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public ReadOnlySpan<byte> Peek(int count) => new(buffer, start, count);

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public void Advance(int count) => start += count;

    private bool Fill(int count)
    {
        ObjectDisposedException.ThrowIf(buffer.Length == 0, this);
        if (endOfStream)
            return false;

        if (count > buffer.Length)
            Grow(count);
        else if (start > 0)
            Compact();

        while (end - start < count)
        {
            var read = stream.Read(buffer, end, buffer.Length - end);
            if (read == 0)
            {
                endOfStream = true;
                return false;
            }
            end += read;
        }
        return true;
    }

    private void Compact()
    {
        var unread = end - start;
        Buffer.BlockCopy(buffer, start, buffer, 0, unread);
        bufferOffset += start;
        start = 0;
        end = unread;
    }

    // Callers bound count by the format's record limit, so this only happens for rare jumbo records.
    private void Grow(int count)
    {
        var larger = ArrayPool<byte>.Shared.Rent((int)BitOperations.RoundUpToPowerOf2((uint)count));
        var unread = end - start;
        Buffer.BlockCopy(buffer, start, larger, 0, unread);
        ArrayPool<byte>.Shared.Return(buffer);
        buffer = larger;
        bufferOffset += start;
        start = 0;
        end = unread;
    }

    public void Dispose()
    {
        if (buffer.Length == 0)
            return;
        ArrayPool<byte>.Shared.Return(buffer);
        buffer = [];
        start = end = 0;
        if (!leaveOpen)
            stream.Dispose();
    }
}
