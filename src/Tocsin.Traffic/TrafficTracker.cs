using System.Runtime.CompilerServices;
using Tocsin.Decode;

namespace Tocsin.Traffic;

/// <summary>
/// Turns decoded packets into flows, hosts, interface and local-network counters. Single-threaded: one tracker per
/// worker. Time comes from the packets (or, live, the caller's clock) through <see cref="NowNs"/>.
/// </summary>
public sealed class TrafficTracker
{
    private readonly TrafficOptions options;
    private readonly ITrafficObserver observer;
    private readonly IFlowInspector inspector;
    private readonly long idleNs;
    private readonly long closeNs;
    private readonly long periodicNs;
    private readonly Action<Host> hostRemoved;

    /// <param name="flowBudget">The flow table size shared with other trackers (workers); null: this table's own.</param>
    public TrafficTracker(TrafficOptions options, LocalNetworks localNetworks, ITrafficObserver observer, IFlowInspector? inspector = null,
        FlowBudget? flowBudget = null)
    {
        this.options = options;
        this.observer = observer;
        this.inspector = inspector ?? NoInspection.Instance;
        LocalNetworks = localNetworks;
        Flows = new FlowTable(options.MaxFlows, flowBudget);
        Hosts = new HostTable(options.MaxHosts, localNetworks);
        Networks = new TrafficCounters[localNetworks.Count];
        for (int i = 0; i < Networks.Length; i++)
            Networks[i] = new TrafficCounters();
        idleNs = options.FlowIdleTimeout.Ticks * 100;
        closeNs = options.TcpCloseTimeout.Ticks * 100;
        periodicNs = options.FlowPeriodicInterval.Ticks * 100;
        hostRemoved = observer.HostRemoved;
    }

    public FlowTable Flows { get; }
    public HostTable Hosts { get; }
    public LocalNetworks LocalNetworks { get; }

    /// <summary>Totals of the interface (every IP packet attributed to a flow).</summary>
    public TrafficCounters Interface { get; } = new();

    /// <summary>Totals per configured local network, same order as <see cref="LocalNetworks"/>.</summary>
    public TrafficCounters[] Networks { get; }

    /// <summary>Packets not attributed to any flow: later IP fragments and packets of refused flows.</summary>
    public long UnattributedPackets { get; private set; }

    public long FlowsEnded { get; private set; }

    public long NowNs { get; private set; }

    /// <summary>Accounts one decoded IP packet; returns its flow, or null when it belongs to none.</summary>
    public Flow? Process(in DecodedPacket p, ReadOnlySpan<byte> frame, long timestampNs)
    {
        if (timestampNs > NowNs)
            NowNs = timestampNs;
        if (p.IsLaterFragment)
        {
            UnattributedPackets++;
            return null;
        }

        var key = FlowKey.Of(p, out bool sourceIsA);
        int hash = key.GetHashCode();
        var flow = Flows.Find(key, hash);
        bool isNew = false;
        byte flags = p.IsTcp ? p.TcpFlags : (byte)0;
        if (flow is not null && flow.IsClosing && (flags & (TcpFlags.Syn | TcpFlags.Ack)) == TcpFlags.Syn)
        {
            // The port pair is reused for a new connection after the old one closed.
            EndFlow(flow);
            flow = null;
        }
        if (flow is null)
        {
            flow = CreateFlow(key, hash, sourceIsA, in p, flags);
            if (flow is null)
            {
                UnattributedPackets++;
                return null;
            }
            isNew = true;
        }

        bool fromClient = sourceIsA == flow.ClientIsA;
        Account(flow, in p, flags, fromClient);
        Flows.Touch(flow);

        if (isNew)
            observer.FlowBegin(flow);
        if (!flow.DetectionCompleted && inspector.Inspect(flow, in p, frame, fromClient))
        {
            flow.DetectionCompleted = true;
            observer.ProtocolDetected(flow);
        }
        return flow;
    }

    private Flow? CreateFlow(in FlowKey key, int hash, bool sourceIsA, in DecodedPacket p, byte flags)
    {
        // The SYN sender is the client, and a SYN-ACK seen first means its receiver sent the SYN. Without either
        // (UDP, or TCP picked up mid-conversation) the end on the more server-like port is the server, and on a
        // tie the first sender is the client.
        bool sourceIsClient = (flags & TcpFlags.Syn) != 0
            ? (flags & TcpFlags.Ack) == 0
            : ServerLikeness(p.SrcPort) <= ServerLikeness(p.DstPort);
        var clientIp = sourceIsClient ? p.Src : p.Dst;
        var serverIp = sourceIsClient ? p.Dst : p.Src;
        // The flow table first: a refused flow must not leave hosts behind. Each table counts its own refusals.
        if (!Flows.Reserve())
            return null;
        if (!Hosts.TryGetOrAdd(new HostKey(clientIp, p.VlanId), new HostKey(serverIp, p.VlanId), NowNs, out var client, out var server))
        {
            Flows.Unreserve();
            return null;
        }
        var flow = Flows.Add(key, hash, NowNs);
        flow.ClientIsA = sourceIsClient == sourceIsA;
        flow.Client = client;
        flow.Server = server;
        flow.NextPeriodicNs = NowNs + periodicNs;

        Hosts.Changed(client);
        Hosts.Changed(server);
        client.ActiveFlowsAsClient++;
        client.Interval.Counts.FlowsAsClient++;
        client.Interval.NewFlowsAsClientRate.Add(NowNs);
        server.ActiveFlowsAsServer++;
        server.Interval.Counts.FlowsAsServer++;
        server.Interval.NewFlowsAsServerRate.Add(NowNs);

        client.Interval.Peers.Add((ulong)serverIp.GetHashCode() ^ ((ulong)p.VlanId << 32));
        if (p.IsTcp || p.IsUdp)
        {
            ushort serverPort = sourceIsClient ? p.DstPort : p.SrcPort;
            client.Interval.ServerPorts.Add(((ulong)p.Protocol << 16) | serverPort);
            ulong serverId = (ulong)serverIp.GetHashCode();
            switch (serverPort)
            {
                case 53:
                    client.Interval.DnsServers.Add(serverId);
                    break;
                case 123 when p.IsUdp:
                    client.Interval.NtpServers.Add(serverId);
                    break;
                case 25 or 465 or 587 when p.IsTcp:
                    client.Interval.SmtpServers.Add(serverId);
                    break;
            }
        }

        Interface.Flows++;
        int cn = client.NetworkIndex, sn = server.NetworkIndex;
        if (cn >= 0)
            Networks[cn].Flows++;
        if (sn >= 0 && sn != cn)
            Networks[sn].Flows++;
        return flow;
    }

    /// <summary>2 for well-known ports, 1 for registered ones, 0 for the dynamic range clients pick from.</summary>
    private static int ServerLikeness(ushort port) => port < 1024 ? 2 : port < 49152 ? 1 : 0;

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private void Account(Flow flow, in DecodedPacket p, byte flags, bool fromClient)
    {
        long now = NowNs;
        int wire = p.WireLength;
        flow.LastSeenNs = now;
        ref var dir = ref fromClient ? ref flow.ClientToServer : ref flow.ServerToClient;
        dir.Packets++;
        dir.Bytes += wire;
        dir.GoodputBytes += p.PayloadLength;

        var sender = fromClient ? flow.Client : flow.Server;
        var receiver = fromClient ? flow.Server : flow.Client;
        ref var sent = ref sender.Interval.Counts;
        ref var received = ref receiver.Interval.Counts;
        sent.PacketsSent++;
        sent.BytesSent += wire;
        sender.LastSeenNs = now;
        received.PacketsReceived++;
        received.BytesReceived += wire;
        receiver.LastSeenNs = now;
        Hosts.Changed(sender);
        Hosts.Changed(receiver);

        Interface.Packets++;
        Interface.Bytes += wire;
        int sn = sender.NetworkIndex, rn = receiver.NetworkIndex;
        if (sn >= 0 || rn >= 0)
            AccountNetworks(sn, rn, wire);

        if (p.IsTcp)
            TrackTcp(flow, ref dir, in p, flags, fromClient, sender, receiver);
        else if (p.Protocol is IpProtocol.Icmp or IpProtocol.Icmpv6)
        {
            sent.IcmpSent++;
            received.IcmpReceived++;
        }
    }

    private void AccountNetworks(int senderNet, int receiverNet, int wire)
    {
        if (senderNet >= 0 && senderNet == receiverNet)
        {
            var n = Networks[senderNet];
            n.Packets++;
            n.Bytes += wire;
            n.InnerBytes += wire;
            return;
        }
        if (senderNet >= 0)
        {
            var n = Networks[senderNet];
            n.Packets++;
            n.Bytes += wire;
            n.EgressBytes += wire;
        }
        if (receiverNet >= 0)
        {
            var n = Networks[receiverNet];
            n.Packets++;
            n.Bytes += wire;
            n.IngressBytes += wire;
        }
    }

    private void TrackTcp(Flow flow, ref DirectionStats dir, in DecodedPacket p, byte flags, bool fromClient, Host sender, Host receiver)
    {
        dir.TcpFlags |= flags;
        bool syn = (flags & TcpFlags.Syn) != 0, ack = (flags & TcpFlags.Ack) != 0;
        var state = flow.Tcp;
        ref var sent = ref sender.Interval.Counts;
        ref var received = ref receiver.Interval.Counts;
        if (syn)
        {
            if (ack)
            {
                sent.SynAckSent++;
                received.SynAckReceived++;
                if (!fromClient)
                    state |= TcpState.SynAckFromServer;
            }
            else
            {
                sent.SynSent++;
                received.SynReceived++;
                sender.Interval.SynSentRate.Add(NowNs);
                receiver.Interval.SynReceivedRate.Add(NowNs);
                if (fromClient)
                    state |= TcpState.SynFromClient;
            }
        }
        else if (ack && fromClient && (state & (TcpState.SynAckFromServer | TcpState.Established)) == TcpState.SynAckFromServer)
        {
            state |= TcpState.Established;
        }
        if ((flags & TcpFlags.Fin) != 0)
        {
            sent.FinSent++;
            received.FinReceived++;
            state |= fromClient ? TcpState.FinFromClient : TcpState.FinFromServer;
        }
        if ((flags & TcpFlags.Rst) != 0)
        {
            sent.RstSent++;
            received.RstReceived++;
            state |= fromClient ? TcpState.ResetFromClient : TcpState.ResetFromServer;
        }
        flow.Tcp = state;

        if (p.TcpWindow == 0 && !syn && (flags & TcpFlags.Rst) == 0)
            dir.ZeroWindowSeen = true;
        TrackSequence(ref dir, p.TcpSeq, p.PayloadLength + (syn ? 1 : 0) + ((flags & TcpFlags.Fin) != 0 ? 1 : 0), p.PayloadLength);
    }

    /// <summary>
    /// Retransmissions are segments that start before the next expected sequence number (keep-alives excepted);
    /// out-of-order segments start after it, leaving a gap.
    /// </summary>
    private static void TrackSequence(ref DirectionStats dir, uint seq, int length, int payload)
    {
        if (length <= 0)
            return;
        if (!dir.SeqKnown)
        {
            dir.SeqKnown = true;
            dir.NextSeq = seq + (uint)length;
            return;
        }
        int diff = (int)(seq - dir.NextSeq);
        if (diff == 0)
        {
            dir.NextSeq = seq + (uint)length;
        }
        else if (diff < 0)
        {
            bool keepAlive = diff == -1 && payload <= 1;
            if (!keepAlive)
                dir.Retransmissions++;
            if ((int)(seq + (uint)length - dir.NextSeq) > 0)
                dir.NextSeq = seq + (uint)length;
        }
        else
        {
            dir.OutOfOrder++;
            dir.NextSeq = seq + (uint)length;
        }
    }

    /// <summary>Ends idle and closed flows whose timeout passed at <paramref name="nowNs"/>.</summary>
    public int ExpireFlows(long nowNs)
    {
        if (nowNs > NowNs)
            NowNs = nowNs;
        int ended = 0;
        while (Flows.Closing.Head is { } f && f.LastSeenNs + closeNs <= NowNs)
        {
            EndFlow(f);
            ended++;
        }
        while (Flows.Active.Head is { } f && f.LastSeenNs + idleNs <= NowNs)
        {
            EndFlow(f);
            ended++;
        }
        return ended;
    }

    /// <summary>Forgets hosts idle past their timeout (hosts with active flows stay).</summary>
    public int PurgeHosts(long nowNs)
    {
        if (nowNs > NowNs)
            NowNs = nowNs;
        return Hosts.Purge(NowNs, options, hostRemoved);
    }

    /// <summary>
    /// Flows due for their periodic update at <see cref="NowNs"/>; each is rescheduled. The table is walked in place:
    /// the caller's hooks only see flows, they cannot end or add one while the walk goes on.
    /// </summary>
    public IEnumerable<Flow> FlowsDueForPeriodicUpdate()
    {
        foreach (var f in Flows.All())
        {
            if (f.NextPeriodicNs > NowNs)
                continue;
            f.NextPeriodicNs = NowNs + periodicNs;
            yield return f;
        }
    }

    /// <summary>Ends every flow and forgets every host (end of the analysis).</summary>
    public void Close(long nowNs)
    {
        if (nowNs > NowNs)
            NowNs = nowNs;
        // Ending a flow unlinks it, so the heads are the flows left.
        while ((Flows.Active.Head ?? Flows.Closing.Head) is { } f)
            EndFlow(f);
        Hosts.RemoveAll(hostRemoved);
    }

    private void EndFlow(Flow flow)
    {
        if (!flow.DetectionCompleted)
        {
            // Checks that wait for the protocol still see the flow, with what detection could conclude.
            inspector.GiveUp(flow);
            flow.DetectionCompleted = true;
            observer.ProtocolDetected(flow);
        }
        observer.FlowEnd(flow);
        inspector.Release(flow);
        flow.Client.ActiveFlowsAsClient--;
        flow.Server.ActiveFlowsAsServer--;
        Hosts.Changed(flow.Client);
        Hosts.Changed(flow.Server);
        FlowsEnded++;
        Flows.Remove(flow);
    }
}
