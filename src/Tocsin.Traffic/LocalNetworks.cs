using Tocsin.Decode;

namespace Tocsin.Traffic;

/// <summary>The configured local networks: a host inside one is local, every other host is remote.</summary>
public sealed class LocalNetworks
{
    private readonly IpNetwork[] networks;

    public LocalNetworks(IEnumerable<IpNetwork> networks)
    {
        // Most specific first, so a host inside nested blocks counts in the narrowest one.
        this.networks = networks.Distinct().OrderByDescending(n => n.Prefix.IsV4 ? n.PrefixLength + 96 : n.PrefixLength).ToArray();
    }

    public static LocalNetworks None { get; } = new([]);

    public IReadOnlyList<IpNetwork> Networks => networks;

    public int Count => networks.Length;

    /// <summary>Index of the network holding <paramref name="ip"/>, or -1 when it is remote.</summary>
    public int IndexOf(IpAddr ip)
    {
        for (int i = 0; i < networks.Length; i++)
        {
            if (networks[i].Contains(ip))
                return i;
        }
        return -1;
    }
}
