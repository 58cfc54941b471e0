using Tocsin.Testing;

namespace Tocsin.Ndpi.Tests;

/// <summary>When the inspector stops feeding nDPI, and that native flows are freed.</summary>
public class InspectorTests
{
    private static byte[] Noise(int i) => [(byte)i, 0x5A, 0xC3, 0x11, (byte)(i * 7), 0x00, 0x42, 0x99];

    /// <summary>nDPI 4.2 leaves URL validation to the caller: an HTTP request's URL is checked for SQL injection and XSS.</summary>
    [Theory]
    [InlineData("/item.php?id=1%27%20OR%20%271%27=%271", "SQL Injection")]
    [InlineData("/search?q=%3Cscript%3Ealert(1)%3C/script%3E", "XSS Attack")]
    public void Http_urls_are_validated_for_injection(string path, string risk)
    {
        using var inspector = new NdpiInspector();
        var c = new Conversation(inspector, "10.0.0.1", 41000, "10.0.0.2", 80);
        c.Handshake();
        c.Data(fromClient: true, System.Text.Encoding.ASCII.GetBytes($"GET {path} HTTP/1.1\r\nHost: shop.example\r\nUser-Agent: Mozilla/5.0\r\n\r\n"));
        c.Data(fromClient: false, System.Text.Encoding.ASCII.GetBytes("HTTP/1.1 200 OK\r\nContent-Type: text/html\r\nContent-Length: 2\r\n\r\nok"));
        c.Close();
        var app = c.Application!;
        Assert.Equal("HTTP", app.ProtocolName);
        Assert.Equal("shop.example" + path, app.Http!.Url);
        Assert.Contains(risk, app.RiskNames);
    }

    [Fact]
    public void An_unknown_udp_flow_is_given_up_after_24_packets()
    {
        using var inspector = new NdpiInspector();
        var c = new Conversation(inspector, "10.0.0.1", 41000, "10.0.0.2", 41001);
        for (int i = 0; i < 30; i++)
            c.Udp(fromClient: i % 2 == 0, Noise(i));
        // ndpiReader: enough once c2s + s2c > 24, so the 25th packet ends detection.
        Assert.Equal(25, c.DetectedAtPacket);
        Assert.Equal(25, inspector.InspectedPackets);
        Assert.Equal("Unknown", c.Application!.ProtocolName);
        Assert.Equal(0, inspector.LiveNativeFlows);
    }

    [Fact]
    public void An_unknown_tcp_flow_is_given_up_after_80_packets()
    {
        using var inspector = new NdpiInspector();
        var c = new Conversation(inspector, "10.0.0.1", 41000, "10.0.0.2", 41001);
        c.Handshake();
        for (int i = 0; i < 90; i++)
            c.Data(fromClient: i % 2 == 0, Noise(i));
        Assert.Equal(81, c.DetectedAtPacket);
        Assert.Equal(81, inspector.InspectedPackets);
        Assert.Equal("Unknown", c.Application!.ProtocolName);
    }

    [Fact]
    public void A_flow_ending_early_gets_ndpis_guess_by_port()
    {
        using var inspector = new NdpiInspector();
        var c = new Conversation(inspector, "10.0.0.1", 41000, "10.0.0.2", 443);
        c.Handshake();
        Assert.Null(c.Application);
        Assert.Equal(1, inspector.LiveNativeFlows);
        c.Close();
        Assert.Equal(0, c.DetectedAtPacket);
        var app = c.Application!;
        Assert.Equal("TLS", app.ProtocolName);
        Assert.True(app.Guessed);
        Assert.Equal("Match by port", app.ConfidenceName);
        Assert.Equal(0, inspector.LiveNativeFlows);
    }

    [Fact]
    public void Native_flows_return_to_zero_after_every_flow_ended_run_after_run()
    {
        using var inspector = new NdpiInspector(CaptureRun.SharedLists());
        long concluded = 0;
        for (int pass = 0; pass < 2; pass++)
        {
            // skype.pcap: 293 flows, many still undetected at the end of the capture.
            var run = CaptureRun.Run("skype.pcap", inspector);
            Assert.True(run.PeakLiveNativeFlows > 10, $"peak {run.PeakLiveNativeFlows}");
            Assert.Equal(0, inspector.LiveNativeFlows);
            Assert.Equal(0, inspector.Module.LiveFlows);
            Assert.Equal(NdpiResult.Load("skype.pcap").Flows.Count, run.Flows.Count);
            Assert.Equal(concluded + run.Flows.Count + run.RepeatedKeys, inspector.ConcludedFlows);
            concluded = inspector.ConcludedFlows;
        }
    }
}
