using Tocsin.Decode;

namespace Tocsin.Checks;

/// <summary>
/// IP addresses, CIDR blocks and domain names read from list files (one entry per line, '#' starts a comment).
/// A domain matches itself and every name below it.
/// </summary>
public sealed class AddressAndDomainList
{
    private readonly HashSet<IpAddr> addresses = [];
    private readonly List<IpNetwork> networks = [];
    private readonly HashSet<string> domains = new(StringComparer.OrdinalIgnoreCase);

    public static AddressAndDomainList Empty { get; } = new();

    public int Count => addresses.Count + networks.Count + domains.Count;

    /// <summary>Reads the files; returns the first problem ("file:line: reason"), or null.</summary>
    public static string? TryLoad(IEnumerable<string> files, out AddressAndDomainList list)
    {
        list = new AddressAndDomainList();
        foreach (var file in files)
        {
            string[] lines;
            try
            {
                lines = File.ReadAllLines(file);
            }
            catch (Exception e) when (e is IOException or UnauthorizedAccessException)
            {
                return $"cannot read list file {file}: {e.Message}";
            }
            for (int i = 0; i < lines.Length; i++)
            {
                var entry = lines[i];
                int hash = entry.IndexOf('#');
                entry = (hash >= 0 ? entry[..hash] : entry).Trim();
                if (entry.Length == 0)
                    continue;
                if (IpNetwork.TryParse(entry, out var network))
                {
                    bool single = network.PrefixLength == (network.Prefix.IsV4 ? 32 : 128);
                    if (single)
                        list.addresses.Add(network.Prefix);
                    else
                        list.networks.Add(network);
                }
                else if (IsDomain(entry))
                {
                    list.domains.Add(entry.TrimStart('*', '.').TrimEnd('.'));
                }
                else
                {
                    return $"{file}:{i + 1}: '{entry}' is not an IP address, CIDR block or domain name";
                }
            }
        }
        return null;
    }

    public bool Contains(IpAddr ip)
    {
        if (addresses.Contains(ip))
            return true;
        foreach (var n in networks)
        {
            if (n.Contains(ip))
                return true;
        }
        return false;
    }

    /// <summary>The listed domain <paramref name="host"/> falls under, or null.</summary>
    public string? MatchDomain(string host)
    {
        if (domains.Count == 0 || host.Length == 0)
            return null;
        var name = host.TrimEnd('.');
        while (true)
        {
            if (domains.Contains(name))
                return name;
            int dot = name.IndexOf('.');
            if (dot < 0)
                return null;
            name = name[(dot + 1)..];
        }
    }

    private static bool IsDomain(string entry) =>
        entry.Contains('.') && entry.All(c => char.IsAsciiLetterOrDigit(c) || c is '-' or '.' or '_' or '*');
}

/// <summary>List files of addresses, CIDR blocks and domains (paths relative to the config file).</summary>
public sealed class ListFilesParameter(string name, string description) : CheckParameter(name, description)
{
    private IReadOnlyList<string> files = [];

    public AddressAndDomainList Value { get; private set; } = AddressAndDomainList.Empty;

    public override string TypeName => "list files";
    public override string DefaultText => "[]";
    public override string ValueText => "[" + string.Join(", ", files) + "]";
    public override bool IsList => true;
    public override bool TakesPaths => true;

    protected override string? Apply(string text, bool commit) => Apply([text], commit);

    protected override string? Apply(IReadOnlyList<string> items, bool commit)
    {
        if (AddressAndDomainList.TryLoad(items, out var list) is { } error)
            return $"{Name}: {error}";
        if (commit)
        {
            files = [.. items];
            Value = list;
        }
        return null;
    }

    public override void ResetToDefault()
    {
        files = [];
        Value = AddressAndDomainList.Empty;
    }
}
