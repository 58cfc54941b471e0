using System.Diagnostics.CodeAnalysis;

namespace Tocsin.Traffic;

/// <summary>Bounded table of hosts keyed by IP and VLAN.</summary>
public sealed class HostTable
{
    private readonly Dictionary<HostKey, Host> hosts = [];
    private readonly LocalNetworks localNetworks;
    private readonly List<Host> changed = [];

    // Merged table only: active flows of hosts refused while it was full, until they find room.
    private readonly Dictionary<HostKey, (int Client, int Server)> refusedFlows = [];

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
    /// A worker's table at a tick: the shares of the hosts that changed since the last one (see
    /// <see cref="Host.TakeShare"/>), for the merged table to absorb; hosts left without active flows leave this table
    /// (the merged one remembers them).
    /// </summary>
    public void ShareChanges(long sinceNs, List<HostShare> shares)
    {
        foreach (var host in changed)
        {
            shares.Add(host.TakeShare(sinceNs));
            host.Changed = false;
            if (host.ActiveFlows == 0)
                hosts.Remove(host.Key);
        }
        changed.Clear();
    }

    /// <summary>
    /// Folds one worker's share of a host into this table, the merged view of several workers. A new host is refused
    /// (and counted) when the table is full: its interval is dropped, as the packets of a refused flow are, but the
    /// change in its active flows is kept for when it finds room, so its count never goes wrong.
    /// </summary>
    public void Absorb(in HostShare share)
    {
        if (!hosts.TryGetValue(share.Key, out var merged))
        {
            if (hosts.Count >= MaxHosts)
            {
                Refused++;
                var (client, server) = refusedFlows.GetValueOrDefault(share.Key);
                (client, server) = (client + share.ClientFlowsDelta, server + share.ServerFlowsDelta);
                if (client == 0 && server == 0)
                    refusedFlows.Remove(share.Key);
                else
                    refusedFlows[share.Key] = (client, server);
                return;
            }
            merged = new Host(share.Key, share.IsLocal, share.NetworkIndex, share.FirstSeenNs);
            hosts.Add(share.Key, merged);
            Created++;
            if (refusedFlows.Remove(share.Key, out var carried))
            {
                merged.ActiveFlowsAsClient = carried.Client;
                merged.ActiveFlowsAsServer = carried.Server;
            }
        }
        if (share.Active)
        {
            merged.Interval.Add(share.Interval);
            merged.FirstSeenNs = Math.Min(merged.FirstSeenNs, share.FirstSeenNs);
            merged.LastSeenNs = Math.Max(merged.LastSeenNs, share.LastSeenNs);
        }
        merged.ActiveFlowsAsClient += share.ClientFlowsDelta;
        merged.ActiveFlowsAsServer += share.ServerFlowsDelta;
    }

    public void RemoveAll(Action<Host> onRemoved)
    {
        foreach (var host in hosts.Values)
            onRemoved(host);
        hosts.Clear();
    }
}
