using System.Diagnostics.CodeAnalysis;

namespace Tocsin.Decode;

/// <summary>A CIDR block (IPv4 or IPv6). A bare address is a /32 or /128.</summary>
public readonly struct IpNetwork : IEquatable<IpNetwork>
{
    private readonly ulong maskHi;
    private readonly ulong maskLo;

    public IpNetwork(IpAddr address, int prefixLength)
    {
        int max = address.IsV4 ? 32 : 128;
        if (prefixLength < 0 || prefixLength > max)
            throw new ArgumentOutOfRangeException(nameof(prefixLength), $"prefix length must be 0..{max}");
        int bits = address.IsV4 ? 96 + prefixLength : prefixLength;
        maskHi = bits >= 64 ? ulong.MaxValue : bits == 0 ? 0 : ulong.MaxValue << (64 - bits);
        maskLo = bits <= 64 ? 0 : bits == 128 ? ulong.MaxValue : ulong.MaxValue << (128 - bits);
        Prefix = new IpAddr(address.Hi & maskHi, address.Lo & maskLo);
        PrefixLength = prefixLength;
    }

    public IpAddr Prefix { get; }

    /// <summary>Prefix length in the family's own terms (0..32 for IPv4, 0..128 for IPv6).</summary>
    public int PrefixLength { get; }

    public bool Contains(IpAddr ip) =>
        (ip.Hi & maskHi) == Prefix.Hi && (ip.Lo & maskLo) == Prefix.Lo && ip.IsV4 == Prefix.IsV4;

    public static IpNetwork Parse(string text) =>
        TryParse(text, out var n, out var error) ? n : throw new FormatException(error);

    public static bool TryParse(string? text, out IpNetwork network) => TryParse(text, out network, out _);

    public static bool TryParse(string? text, out IpNetwork network, [NotNullWhen(false)] out string? error)
    {
        network = default;
        if (string.IsNullOrWhiteSpace(text))
        {
            error = "empty network";
            return false;
        }
        text = text.Trim();
        int slash = text.IndexOf('/');
        string addressPart = slash < 0 ? text : text[..slash];
        if (!IpAddr.TryParse(addressPart, out var address))
        {
            error = $"'{text}' is not an IP address or CIDR block";
            return false;
        }
        int max = address.IsV4 ? 32 : 128;
        int length = max;
        if (slash >= 0 && (!int.TryParse(text.AsSpan(slash + 1), out length) || length < 0 || length > max))
        {
            error = $"'{text}' has an invalid prefix length (0..{max})";
            return false;
        }
        network = new IpNetwork(address, length);
        error = null;
        return true;
    }

    public override string ToString() => $"{Prefix}/{PrefixLength}";

    public bool Equals(IpNetwork other) => Prefix == other.Prefix && PrefixLength == other.PrefixLength;
    public override bool Equals(object? obj) => obj is IpNetwork other && Equals(other);
    public override int GetHashCode() => HashCode.Combine(Prefix, PrefixLength);
    public static bool operator ==(IpNetwork left, IpNetwork right) => left.Equals(right);
    public static bool operator !=(IpNetwork left, IpNetwork right) => !left.Equals(right);
}
