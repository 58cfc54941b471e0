using Tocsin.Alerts;
using Tocsin.Traffic;

namespace Tocsin.Checks.FlowChecks;

/// <summary>The server answered the client's SYN with a reset instead of a SYN-ACK: nothing listens on that port.</summary>
public sealed class TcpConnectionRefused : FlowCheck
{
    public static readonly AlertType Alert =
        AlertType.Flow(20, "tcp_connection_refused", "TCP Connection Refused", AlertCategory.Network, Scores.Notice);

    public override string Key => "tcp_connection_refused";
    public override string Title => "TCP Connection Refused";
    public override string Description => "The server answered a connection attempt (SYN) with a reset (RST)";
    public override AlertType AlertType => Alert;
    public override bool EnabledByDefault => true;

    public override void FlowEnd(FlowCheckContext ctx, Flow flow)
    {
        if (!flow.IsTcp)
            return;
        var refused = TcpState.SynFromClient | TcpState.ResetFromServer;
        if ((flow.Tcp & refused) != refused || (flow.Tcp & TcpState.SynAckFromServer) != 0)
            return;
        ctx.Raise(flow, $"{flow.ServerIp} refused the connection from {flow.ClientIp} to TCP port {flow.ServerPort} (SYN answered by RST)");
    }
}
