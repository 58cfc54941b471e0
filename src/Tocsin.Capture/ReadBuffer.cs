using System.IO.MemoryMappedFiles;
using System.Numerics;
using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;

namespace Tocsin.Capture;

/// <summary>
/// Sequential window over a capture, so that readers hand out spans into it instead of allocating per packet.
/// A regular file is mapped into memory whole: its bytes are read where the page cache holds them, without the copy
/// a read call makes (every worker reads the whole capture, so that copy was paid once per worker). A stream (a
/// pipe, a network stream, a stream in memory) is read through one native buffer instead. A span returned by
/// <see cref="Peek"/> stays valid until the next <see cref="Ensure"/>, which may move the unread bytes of a
/// stream's buffer to its front or replace the buffer.
/// </summary>
internal sealed unsafe class ReadBuffer : IDisposable
{
    internal const int InitialCapacity = 1 << 20;

    private readonly Stream? stream;
    private readonly bool leaveOpen;
    private readonly MemoryMappedFile? map;
    private readonly MemoryMappedViewAccessor? view;
    private byte* data;
    private nint capacity;
    private nint start;
    private nint end;
    private long bufferOffset;
    private bool endOfStream;

    /// <summary>Reads <paramref name="stream"/> through a buffer.</summary>
    public ReadBuffer(Stream stream, bool leaveOpen)
    {
        this.stream = stream;
        this.leaveOpen = leaveOpen;
        capacity = InitialCapacity;
        data = (byte*)NativeMemory.Alloc((nuint)capacity);
    }

    /// <summary>Maps <paramref name="file"/> (a non-empty regular file) and reads it in place; takes ownership of it.</summary>
    public ReadBuffer(FileStream file)
    {
        long length = file.Length;
        map = MemoryMappedFile.CreateFromFile(file, null, length, MemoryMappedFileAccess.Read, HandleInheritability.None, leaveOpen: false);
        view = map.CreateViewAccessor(0, length, MemoryMappedFileAccess.Read);
        byte* pointer = null;
        view.SafeMemoryMappedViewHandle.AcquirePointer(ref pointer);
        data = pointer + view.PointerOffset;
        capacity = end = (nint)length;
        endOfStream = true;
    }

    /// <summary>Unread bytes already in the window (capped at int.MaxValue for mapped files beyond 2 GiB).</summary>
    public int Available => (int)Math.Min(end - start, int.MaxValue);

    /// <summary>Offset of the next unread byte, counted from where reading started.</summary>
    public long Position => bufferOffset + start;

    /// <summary>True when <paramref name="count"/> bytes are available; false only at the end of the input.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public bool Ensure(int count) => end - start >= count || Fill(count);

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public ReadOnlySpan<byte> Peek(int count) => new(data + start, count);

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public void Advance(int count) => start += count;

    private bool Fill(int count)
    {
        ObjectDisposedException.ThrowIf(data == null, this);
        if (endOfStream)
            return false;

        if (count > capacity)
            Grow(count);
        else if (start > 0)
            Compact();

        while (end - start < count)
        {
            var read = stream!.Read(new Span<byte>(data + end, (int)(capacity - end)));
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
        Buffer.MemoryCopy(data + start, data, capacity, unread);
        bufferOffset += start;
        start = 0;
        end = unread;
    }

    // Callers bound count by the format's record limit, so this only happens for rare jumbo records.
    private void Grow(int count)
    {
        Compact();
        capacity = (nint)BitOperations.RoundUpToPowerOf2((uint)count);
        data = (byte*)NativeMemory.Realloc(data, (nuint)capacity);
    }

    public void Dispose()
    {
        if (data == null)
            return;
        GC.SuppressFinalize(this);
        if (view is not null)
        {
            view.SafeMemoryMappedViewHandle.ReleasePointer();
            view.Dispose();
            map!.Dispose();
        }
        else
        {
            NativeMemory.Free(data);
            if (!leaveOpen)
                stream!.Dispose();
        }
        data = null;
        start = end = 0;
    }

    // A reader nobody disposed must not leak its buffer (the map and the stream have finalizers of their own).
    ~ReadBuffer()
    {
        if (view is null && data != null)
            NativeMemory.Free(data);
    }
}
