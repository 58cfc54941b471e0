using System.Buffers.Binary;
using System.Diagnostics.CodeAnalysis;
using System.Net;
using System.Net.Sockets;
using System.Runtime.CompilerServices;

namespace Tocsin.Decode;

/// <summary>
/// An IPv4 or IPv6 address in 16 bytes, IPv4 kept in its IPv4-mapped form (::ffff:a.b.c.d) so that both
/// families share one key type. Numeric order equals address order.
/// </summary>
public readonly struct IpAddr : IEquatable<IpAddr>, IComparable<IpAddr>
{
    private const ulong V4MappedPrefix = 0x0000_FFFF_0000_0000UL;
    private const ulong V4MappedMask = 0xFFFF_FFFF_0000_0000UL;

    public IpAddr(ulong hi, ulong lo)
    {
        Hi = hi;
        Lo = lo;
    }

    /// <summary>First 8 bytes, big-endian.</summary>
    public ulong Hi { get; }

    /// <summary>Last 8 bytes, big-endian.</summary>
    public ulong Lo { get; }

    public bool IsV4 => Hi == 0 && (Lo & V4MappedMask) == V4MappedPrefix;

    public int Version => IsV4 ? 4 : 6;

    /// <summary>The IPv4 address as a host-order integer (only meaningful when <see cref="IsV4"/>).</summary>
    public uint V4Value => (uint)Lo;

    public bool IsMulticast => IsV4 ? (V4Value >> 28) == 0xE : (Hi >> 56) == 0xFF;

    /// <summary>The limited broadcast 255.255.255.255 (subnet broadcasts depend on the local networks).</summary>
    public bool IsBroadcast => IsV4 && V4Value == 0xFFFF_FFFF;

    /// <summary>0.0.0.0 or ::, what a host without an address sends from.</summary>
    public bool IsUnspecified => IsV4 ? V4Value == 0 : (Hi | Lo) == 0;

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static IpAddr FromV4(uint hostOrder) => new(0, V4MappedPrefix | hostOrder);

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static IpAddr FromV4(ReadOnlySpan<byte> fourBytes) => FromV4(BinaryPrimitives.ReadUInt32BigEndian(fourBytes));

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static IpAddr FromV6(ReadOnlySpan<byte> sixteenBytes) =>
        new(BinaryPrimitives.ReadUInt64BigEndian(sixteenBytes), BinaryPrimitives.ReadUInt64BigEndian(sixteenBytes[8..]));

    public static IpAddr FromIPAddress(IPAddress address)
    {
        Span<byte> b = stackalloc byte[16];
        if (address.AddressFamily == AddressFamily.InterNetwork)
        {
            address.TryWriteBytes(b, out _);
            return FromV4(b[..4]);
        }
        address.TryWriteBytes(b, out _);
        return FromV6(b);
    }

    public static IpAddr Parse(string text) =>
        TryParse(text, out var ip) ? ip : throw new FormatException($"'{text}' is not an IP address");

    public static bool TryParse([NotNullWhen(true)] string? text, out IpAddr ip)
    {
        if (text is not null && IPAddress.TryParse(text, out var a))
        {
            ip = FromIPAddress(a);
            return true;
        }
        ip = default;
        return false;
    }

    /// <summary>Writes the address in network order: 4 bytes for IPv4, 16 for IPv6. Returns the count written.</summary>
    public int WriteBytes(Span<byte> destination)
    {
        if (IsV4)
        {
            BinaryPrimitives.WriteUInt32BigEndian(destination, V4Value);
            return 4;
        }
        BinaryPrimitives.WriteUInt64BigEndian(destination, Hi);
        BinaryPrimitives.WriteUInt64BigEndian(destination[8..], Lo);
        return 16;
    }

    public IPAddress ToIPAddress()
    {
        Span<byte> b = stackalloc byte[16];
        int n = WriteBytes(b);
        return new IPAddress(b[..n]);
    }

    public override string ToString()
    {
        if (IsV4)
        {
            uint v = V4Value;
            return $"{v >> 24}.{(v >> 16) & 0xFF}.{(v >> 8) & 0xFF}.{v & 0xFF}";
        }
        return ToIPAddress().ToString();
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public bool Equals(IpAddr other) => Hi == other.Hi && Lo == other.Lo;

    public override bool Equals(object? obj) => obj is IpAddr other && Equals(other);

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public override int GetHashCode()
    {
        ulong h = (Hi * 0x9E37_79B9_7F4A_7C15UL) ^ Lo;
        h *= 0xC2B2_AE3D_27D4_EB4FUL;
        return (int)(h ^ (h >> 32));
    }

    public int CompareTo(IpAddr other) => Hi != other.Hi ? Hi.CompareTo(other.Hi) : Lo.CompareTo(other.Lo);

    public static bool operator ==(IpAddr left, IpAddr right) => left.Equals(right);
    public static bool operator !=(IpAddr left, IpAddr right) => !left.Equals(right);
    public static bool operator <(IpAddr left, IpAddr right) => left.CompareTo(right) < 0;
    public static bool operator >(IpAddr left, IpAddr right) => left.CompareTo(right) > 0;
    public static bool operator <=(IpAddr left, IpAddr right) => left.CompareTo(right) <= 0;
    public static bool operator >=(IpAddr left, IpAddr right) => left.CompareTo(right) >= 0;
}
