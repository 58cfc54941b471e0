using System.Buffers.Binary;
using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;

namespace Tocsin.Capture;

/// <summary>Field reads in the capture's byte order: <c>reverse</c> is true when it differs from this machine's.</summary>
internal static class ByteOrder
{
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static uint Read32(ReadOnlySpan<byte> span, int offset, bool reverse)
    {
        var value = MemoryMarshal.Read<uint>(span[offset..]);
        return reverse ? BinaryPrimitives.ReverseEndianness(value) : value;
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static ushort Read16(ReadOnlySpan<byte> span, int offset, bool reverse)
    {
        var value = MemoryMarshal.Read<ushort>(span[offset..]);
        return reverse ? BinaryPrimitives.ReverseEndianness(value) : value;
    }

    public static long Read64(ReadOnlySpan<byte> span, int offset, bool reverse)
    {
        var value = MemoryMarshal.Read<long>(span[offset..]);
        return reverse ? BinaryPrimitives.ReverseEndianness(value) : value;
    }
}
