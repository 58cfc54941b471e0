using System.Diagnostics.CodeAnalysis;

namespace Tocsin.Traffic;

/// <summary>Bounded table of hosts keyed by IP and VLAN.</summary>
public sealed class HostTable
{
    private readonly Dictionary<HostKey, Host> hosts = [];
    private readonly LocalNetworks localNetworks;

    public HostTable(int maxHosts, LocalNetworks localNetworks)
    {
        if (maxHosts < 1)
            throw new ArgumentOutOfRangeException(nameof(maxHosts));
        MaxHosts = maxHosts;
        this.localNetworks = localNetworks;
    }

    public int MaxHosts { get; }

    public int Count => hosts.Count;

    /// <summary>Hosts created since the start (the table itself forgets idle ones).</summary>
    public long Created { get; private set; }

    /// <summary>New hosts refused because the table was full.</summary>
    public long Refused { get; private set; }

    public IEnumerable<Host> All => hosts.Values;

    public Host? Find(HostKey key) => hosts.GetValueOrDefault(key);

    /// <summary>
    /// The two hosts of a new flow, each created if new: both or neither, so a refused flow leaves no host behind.
    /// False when the table has no room for the new ones, which count as refused.
    /// </summary>
    internal bool TryGetOrAdd(HostKey clientKey, HostKey serverKey, long nowNs,
        [NotNullWhen(true)] out Host? client, [NotNullWhen(true)] out Host? server)
    {
        bool self = clientKey == serverKey;
        client = hosts.GetValueOrDefault(clientKey);
        server = self ? client : hosts.GetValueOrDefault(serverKey);
        int missing = (client is null ? 1 : 0) + (server is null && !self ? 1 : 0);
        if (hosts.Count + missing > MaxHosts)
        {
            Refused += missing;
            client = server = null;
            return false;
        }
        client ??= Add(clientKey, nowNs);
        server ??= self ? client : Add(serverKey, nowNs);
        return true;
    }

    private Host Add(HostKey key, long nowNs)
    {
        int network = localNetworks.IndexOf(key.Ip);
        var host = new Host(key, network >= 0, network, nowNs);
        hosts.Add(key, host);
        Created++;
        return host;
    }

    /// <summary>Removes hosts without active flows idle past their timeout, telling <paramref name="onRemoved"/> first.</summary>
    public int Purge(long nowNs, TrafficOptions options, Action<Host> onRemoved)
    {
        long localIdleNs = options.LocalHostIdleTimeout.Ticks * 100, remoteIdleNs = options.RemoteHostIdleTimeout.Ticks * 100;
        int removed = 0;
        foreach (var (key, host) in hosts)
        {
            if (host.ActiveFlows > 0)
                continue;
            long idle = host.IsLocal ? localIdleNs : remoteIdleNs;
            if (host.LastSeenNs + idle > nowNs)
                continue;
            onRemoved(host);
            hosts.Remove(key);
            removed++;
        }
        return removed;
    }

    /// <summary>
    /// Folds one worker's host into this table, the merged view of several workers: its interval (when it had
    /// packets since <paramref name="sinceNs"/>) and its active flows. The worker's host starts a new interval.
    /// A new host is refused (and counted) when the table is full; its interval is dropped all the same, as the
    /// packets of a refused flow are, so that it does not pile up for a later merge.
    /// </summary>
    public void Absorb(Host other, long sinceNs)
    {
        bool active = other.LastSeenNs >= sinceNs;
        if (!hosts.TryGetValue(other.Key, out var merged))
        {
            if (hosts.Count >= MaxHosts)
            {
                Refused++;
                if (active)
                    other.StartInterval();
                return;
            }
            merged = new Host(other.Key, other.IsLocal, other.NetworkIndex, other.FirstSeenNs);
            hosts.Add(other.Key, merged);
            Created++;
        }
        if (active)
        {
            merged.Interval.Add(other.Interval);
            merged.FirstSeenNs = Math.Min(merged.FirstSeenNs, other.FirstSeenNs);
            merged.LastSeenNs = Math.Max(merged.LastSeenNs, other.LastSeenNs);
            other.StartInterval();
        }
        merged.ActiveFlowsAsClient += other.ActiveFlowsAsClient;
        merged.ActiveFlowsAsServer += other.ActiveFlowsAsServer;
    }

    /// <summary>Zeroes every host's active flows before the workers' counts are absorbed again.</summary>
    public void ResetActiveFlows()
    {
        foreach (var host in hosts.Values)
            host.ActiveFlowsAsClient = host.ActiveFlowsAsServer = 0;
    }

    /// <summary>Drops hosts without active flows, silently: a worker's hosts once absorbed into the merged table.</summary>
    public void RemoveInactive()
    {
        foreach (var (key, host) in hosts)
        {
            if (host.ActiveFlows == 0)
                hosts.Remove(key);
        }
    }

    public void RemoveAll(Action<Host> onRemoved)
    {
        foreach (var host in hosts.Values)
            onRemoved(host);
        hosts.Clear();
    }
}
