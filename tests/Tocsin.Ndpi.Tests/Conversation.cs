using Tocsin.Capture;
using Tocsin.Decode;
using Tocsin.Traffic;

namespace Tocsin.Ndpi.Tests;

/// <summary>
/// A TCP or UDP conversation built packet by packet (correct sequence numbers, one millisecond apart) and fed
/// through the real decoder and tracker to an <see cref="NdpiInspector"/>; records the flow's application.
/// </summary>
internal sealed class Conversation : ITrafficObserver
{
    private const long Start = 1_700_000_000L * 1_000_000_000;

    private readonly TrafficTracker tracker;
    private readonly PacketDecoder decoder = new();
    private readonly IpAddr client;
    private readonly IpAddr server;
    private readonly ushort clientPort;
    private readonly ushort serverPort;
    private DecodedPacket packet;
    private uint clientSeq = 1000;
    private uint serverSeq = 5000;
    private long time = Start;
    private bool closing;

    public Conversation(NdpiInspector inspector, string client, ushort clientPort, string server, ushort serverPort)
    {
        tracker = new TrafficTracker(new TrafficOptions(), new LocalNetworks([]), this, inspector);
        this.client = IpAddr.Parse(client);
        this.server = IpAddr.Parse(server);
        this.clientPort = clientPort;
        this.serverPort = serverPort;
    }

    /// <summary>The flow's application, set when detection completed (or the flow ended).</summary>
    public NdpiApplication? Application { get; private set; }

    /// <summary>Which packet (1-based) completed detection; 0 when it completed only as the flow ended.</summary>
    public int DetectedAtPacket { get; private set; }

    public int PacketsSent { get; private set; }

    public void Handshake()
    {
        Tcp(fromClient: true, TcpFlags.Syn, []);
        clientSeq++;
        Tcp(fromClient: false, TcpFlags.Syn | TcpFlags.Ack, []);
        serverSeq++;
        Tcp(fromClient: true, TcpFlags.Ack, []);
    }

    /// <summary>A TCP segment with PSH+ACK carrying <paramref name="payload"/>.</summary>
    public void Data(bool fromClient, byte[] payload) => Tcp(fromClient, TcpFlags.Psh | TcpFlags.Ack, payload);

    public void Udp(bool fromClient, byte[] payload) =>
        Send(fromClient
            ? PacketBuilder.Udp(client, clientPort, server, serverPort, payload)
            : PacketBuilder.Udp(server, serverPort, client, clientPort, payload));

    /// <summary>Ends the flow (and the analysis): detection that did not complete gives up.</summary>
    public void Close()
    {
        closing = true;
        tracker.Close(time);
    }

    private void Tcp(bool fromClient, byte flags, byte[] payload)
    {
        byte[] frame = fromClient
            ? PacketBuilder.Tcp(client, clientPort, server, serverPort, flags, clientSeq, serverSeq, payload)
            : PacketBuilder.Tcp(server, serverPort, client, clientPort, flags, serverSeq, clientSeq, payload);
        if (fromClient)
            clientSeq += (uint)payload.Length;
        else
            serverSeq += (uint)payload.Length;
        Send(frame);
    }

    private void Send(byte[] frame)
    {
        time += 1_000_000;
        Assert.Equal(DecodeResult.Ip, decoder.Decode(frame, LinkType.Ethernet, frame.Length, ref packet));
        tracker.Process(in packet, frame, time);
        PacketsSent++;
    }

    public void FlowBegin(Flow flow)
    {
    }

    public void ProtocolDetected(Flow flow)
    {
        Application = (NdpiApplication?)flow.Application;
        DetectedAtPacket = closing ? 0 : PacketsSent + 1;
    }

    public void FlowEnd(Flow flow)
    {
    }

    public void HostRemoved(Host host)
    {
    }
}
