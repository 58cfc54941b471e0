using System.Diagnostics.CodeAnalysis;

namespace Tocsin.Traffic;

/// <summary>Bounded table of hosts keyed by IP and VLAN.</summary>
public sealed class HostTable
{
    private readonly Dictionary<HostKey, Host> hosts = [];
    private readonly LocalNetworks localNetworks;
    private readonly List<Host> changed = [];

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

    /// <summary>
    /// Keep a list of the hosts whose counters or active flows change (a worker's table, merged every minute):
    /// the merge then visits those alone, not every host with a flow still open.
    /// </summary>
    public bool TrackChanges { get; set; }

    /// <summary>Notes that a host's counters or active flows changed since the last merge.</summary>
    internal void Changed(Host host)
    {
        if (TrackChanges && !host.Changed)
        {
            host.Changed = true;
            changed.Add(host);
        }
    }

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
    /// Folds the hosts a worker's table changed since the last merge into this table, the merged view of several
    /// workers, then drops from the worker's table those left without active flows (this table remembers them).
    /// </summary>
    public void AbsorbChanges(HostTable worker, long sinceNs)
    {
        foreach (var host in worker.changed)
        {
            Absorb(host, sinceNs);
            host.Changed = false;
            if (host.ActiveFlows == 0)
                worker.hosts.Remove(host.Key);
        }
        worker.changed.Clear();
    }

    /// <summary>
    /// Folds one worker's host into this table: its interval (when it had packets since <paramref name="sinceNs"/>)
    /// and the change in its active flows since it was last folded in. The worker's host starts a new interval.
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
        merged.ActiveFlowsAsClient += other.ActiveFlowsAsClient - other.MergedFlowsAsClient;
        merged.ActiveFlowsAsServer += other.ActiveFlowsAsServer - other.MergedFlowsAsServer;
        other.MergedFlowsAsClient = other.ActiveFlowsAsClient;
        other.MergedFlowsAsServer = other.ActiveFlowsAsServer;
    }

    public void RemoveAll(Action<Host> onRemoved)
    {
        foreach (var host in hosts.Values)
            onRemoved(host);
        hosts.Clear();
    }
}
