using Tocsin.Alerts;
using Tocsin.Decode;
using Tocsin.Traffic;
using static Tocsin.Decode.PacketBuilder;

namespace Tocsin.Checks.Tests;

public class FlowCheckTests
{
    [Fact]
    public void Connection_refused_fires_once_per_syn_answered_by_rst()
    {
        var s = new Scenario().Enable("tcp_connection_refused").RunShared("synscan.pcap");
        var alerts = s.Of("tcp_connection_refused");
        Assert.All(alerts, a =>
        {
            Assert.Equal(AlertAction.Store, a.Action);
            Assert.Equal("172.16.0.8", a.Flow!.CliIp);
            Assert.Equal("64.13.134.52", a.Flow.SrvIp);
            Assert.Equal(6, a.Flow.Proto);
            Assert.Equal(20, a.Type.Id);
            Assert.Equal(10, a.Score);
        });
        Assert.Equal(["113", "113", "25", "31337", "70"], alerts.Select(a => a.Flow!.SrvPort.ToString(System.Globalization.CultureInfo.InvariantCulture)).Order(StringComparer.Ordinal));
    }

    [Fact]
    public void Connection_refused_ignores_resets_after_a_handshake_and_unanswered_syns()
    {
        var c = IpAddr.Parse("10.0.0.1");
        var srv = IpAddr.Parse("10.0.0.2");
        var s = new Scenario().Enable("tcp_connection_refused")
            .At(0, Tcp(c, 40000, srv, 80, TcpFlags.Syn, 1))
            .At(0.1, Tcp(srv, 80, c, 40000, TcpFlags.Syn | TcpFlags.Ack, 9, 2))
            .At(0.2, Tcp(c, 40000, srv, 80, TcpFlags.Ack, 2, 10))
            .At(0.3, Tcp(srv, 80, c, 40000, TcpFlags.Rst, 10))
            .At(1, Tcp(c, 40001, srv, 81, TcpFlags.Syn, 1))
            .At(2, Tcp(c, 40002, srv, 82, TcpFlags.Syn, 1))
            .At(2.1, Tcp(srv, 82, c, 40002, TcpFlags.Rst | TcpFlags.Ack, 0, 2))
            .Run();
        var alert = Assert.Single(s.Events);
        Assert.Equal(82, alert.Flow!.SrvPort);
        Assert.Equal(1, alert.Flow.Cli2SrvPackets);
        Assert.Equal(1, alert.Flow.Srv2CliPackets);
    }

    [Fact]
    public void Connection_refused_is_silent_on_ordinary_traffic()
    {
        var s = new Scenario().Enable("tcp_connection_refused").RunShared("6in4tunnel.pcap");
        Assert.Empty(s.Events);
    }

    [Fact]
    public void Remote_to_remote_needs_both_ends_outside_the_local_networks()
    {
        var fired = new Scenario().Local("10.0.0.0/8").Enable("remote_to_remote").RunShared("NTPv4.pcap");
        var alert = Assert.Single(fired.Events);
        Assert.Equal(16, alert.Type.Id);
        Assert.Equal(("85.22.62.120", 123, "78.46.76.11", 123, 17), (alert.Flow!.CliIp, alert.Flow.CliPort, alert.Flow.SrvIp, alert.Flow.SrvPort, alert.Flow.Proto));
        Assert.False(alert.Flow.CliIsLocal);
        Assert.Equal(Scores.Notice, alert.Score);
        Assert.Equal(Scores.Notice, alert.Flow.FlowScore);

        Assert.Empty(new Scenario().Local("85.22.62.0/24").Enable("remote_to_remote").RunShared("NTPv4.pcap").Events);
        Assert.Empty(new Scenario().Local("78.46.0.0/16").Enable("remote_to_remote").RunShared("NTPv4.pcap").Events);
        // No local networks configured: everything would be remote, so the check stays silent.
        Assert.Empty(new Scenario().Enable("remote_to_remote").RunShared("NTPv4.pcap").Events);
    }

    [Fact]
    public void Remote_to_remote_honours_its_exclusion_list()
    {
        Assert.Empty(new Scenario().Local("10.0.0.0/8").Enable("remote_to_remote", ("exclude", "78.46.76.11")).RunShared("NTPv4.pcap").Events);
    }

    [Fact]
    public void A_flow_alert_type_is_raised_once_per_flow_and_scores_add_up()
    {
        var recorder = new RecordingCheck(raise: true);
        var a = IpAddr.Parse("1.1.1.1");
        var b = IpAddr.Parse("2.2.2.2");
        var s = new Scenario().Local("10.0.0.0/8").Enable("remote_to_remote");
        s.ExtraChecks.Add(recorder);
        s.At(0, Udp(a, 1, b, 2)).At(1, Udp(b, 2, a, 1)).Run();
        var r2r = Assert.Single(s.Of("remote_to_remote"));
        var own = Assert.Single(s.Of(RecordingCheck.Alert.Name));
        Assert.Equal(Scores.Notice, r2r.Flow!.FlowScore);
        Assert.Equal(Scores.Notice + Scores.Warning, own.Flow!.FlowScore);
    }

    /// <summary>FlowBegin, ProtocolDetected, PeriodicUpdate every 5 minutes of a long flow, FlowEnd: once each, in order.</summary>
    [Fact]
    public void Flow_hooks_run_in_order_on_the_capture_clock()
    {
        var recorder = new RecordingCheck(raise: false);
        var s = new Scenario();
        s.ExtraChecks.Add(recorder);
        var a = IpAddr.Parse("10.0.0.1");
        var b = IpAddr.Parse("10.0.0.2");
        for (int t = 0; t <= 700; t += 10)
            s.At(t, Udp(a, 5000, b, 6000));
        s.Run();
        Assert.Equal(["begin@0", "detected@0", "periodic@300", "periodic@600", "end@700"], recorder.Calls);
    }

    /// <summary>A test-only check: records its hooks and optionally raises an alert of its own type.</summary>
    private sealed class RecordingCheck(bool raise) : FlowCheck
    {
        public static readonly AlertType Alert = AlertType.Flow(127, "test_recording", "Test", AlertCategory.Other, Scores.Warning);

        public List<string> Calls { get; } = [];

        public override string Key => "test_recording";
        public override string Title => "Test";
        public override string Description => "records hook calls";
        public override AlertType AlertType => Alert;

        private void Record(FlowCheckContext ctx, string hook) =>
            Calls.Add($"{hook}@{(ctx.NowNs / 1_000_000_000) - Scenario.Start}");

        public override void FlowBegin(FlowCheckContext ctx, Flow flow) => Record(ctx, "begin");

        public override void ProtocolDetected(FlowCheckContext ctx, Flow flow)
        {
            Record(ctx, "detected");
            if (raise)
            {
                ctx.Raise(flow, "first");
                ctx.Raise(flow, "second time: ignored");
            }
        }

        public override void PeriodicUpdate(FlowCheckContext ctx, Flow flow) => Record(ctx, "periodic");

        public override void FlowEnd(FlowCheckContext ctx, Flow flow) => Record(ctx, "end");
    }
}
