using System.Text.Json;
using Tocsin.Alerts;
using Tocsin.Testing;

namespace Tocsin.Notifications.Tests;

public sealed class SyslogTests(Rsyslog rsyslog) : IClassFixture<Rsyslog>, IDisposable
{
    private readonly TempDirectory dir = new();

    public void Dispose() => dir.Dispose();

    private string Transport(string transport) => transport switch
    {
        "udp" => $"transport: udp\n    host: 127.0.0.1\n    port: {rsyslog.UdpPort}",
        "tcp-octet" => $"transport: tcp\n    host: 127.0.0.1\n    port: {rsyslog.TcpPort}\n    framing: octet-counting",
        "tcp-lf" => $"transport: tcp\n    host: 127.0.0.1\n    port: {rsyslog.TcpPort}\n    framing: lf",
        "unix" => $"transport: unix\n    socket: {rsyslog.LocalSocket}",
        _ => $"transport: unix\n    socket: {rsyslog.Rfc5424Socket}",
    };

    /// <summary>Three alerts of three severities, the last with a line break and shell characters in its message.</summary>
    private static Alert[] Alerts(string marker) =>
    [
        TestAlerts.Flow(1, score: Scores.Notice, message: $"{marker} one"),
        WithMessage(TestAlerts.Host(2, AlertAction.Engage), $"{marker} two"),
        TestAlerts.Flow(3, score: Scores.Error, message: $"{marker} three\nsecond line [x] $(id)"),
    ];

    private static Alert WithMessage(Alert a, string message)
    {
        a.Message = message;
        return a;
    }

    [Theory]
    [InlineData("udp", "rfc5424", "plaintext")]
    [InlineData("udp", "rfc3164", "json")]
    [InlineData("udp", "rfc5424", "ecs")]
    [InlineData("tcp-octet", "rfc5424", "json")]
    [InlineData("tcp-octet", "rfc3164", "plaintext")]
    [InlineData("tcp-lf", "rfc3164", "plaintext")]
    [InlineData("tcp-lf", "rfc5424", "ecs")]
    [InlineData("unix", "", "plaintext")]
    [InlineData("unix", "rfc3164", "json")]
    [InlineData("unix5424", "rfc5424", "json")]
    public async Task Rsyslog_receives_every_alert_with_its_header_fields_and_body(string transport, string header, string format)
    {
        var marker = "m" + Guid.NewGuid().ToString("N")[..12];
        var yaml = $"""
            endpoints:
              log:
                type: syslog
                {Transport(transport)}
                {(header.Length > 0 ? "header: " + header : "")}
                format: {format}
                facility: local3
                hostname: sensor-1
            recipients:
              siem: {"{"}endpoint: log, min_severity: debug{"}"}
            """;
        var alerts = Alerts(marker);
        var h = Harness.Create(dir, yaml);
        await using (h)
        {
            await h.DeliverAllAsync(alerts);
            Assert.Equal(3, h.Stats("siem").Delivered);
        }
        var lines = await rsyslog.LinesAsync(marker, 3);
        Assert.Equal(3, lines.Count);
        bool rfc5424 = header == "rfc5424";
        var expected = alerts.Select(a => Notification.FromAlert(a)).ToList();
        for (int i = 0; i < 3; i++)
        {
            var line = lines[i];
            var n = expected[i];
            Assert.Equal(transport.StartsWith("unix", StringComparison.Ordinal) ? "imuxsock" : transport == "udp" ? "imudp" : "imtcp", line.Input);
            Assert.Equal(19, line.Facility);
            Assert.Equal(Scores.ToSyslog(n.Fields.Severity), line.Severity);
            Assert.Equal(19 * 8 + line.Severity, line.Pri);
            Assert.Equal("tocsin", line.AppName);
            Assert.Equal(Environment.ProcessId.ToString(System.Globalization.CultureInfo.InvariantCulture), line.ProcId);
            if (transport != "unix")
                Assert.Equal("sensor-1", line.Hostname);
            Assert.Equal(rfc5424 ? n.Fields.AlertName : "-", line.MsgId);
            if (rfc5424)
                Assert.InRange(DateTimeOffset.Parse(line.Timestamp, System.Globalization.CultureInfo.InvariantCulture), DateTimeOffset.UtcNow.AddMinutes(-1), DateTimeOffset.UtcNow.AddMinutes(1));
            var msg = line.Msg.TrimStart(' ');
            switch (format)
            {
                case "plaintext":
                    Assert.Equal(AlertText.Line(n), msg);
                    break;
                case "json":
                    // ntopng sends the notification JSON itself (spec §4.8).
                    Assert.Equal(n.Json, msg);
                    Assert.Equal(n.Fields.AlertId, JsonDocument.Parse(msg).RootElement.GetProperty("alert_id").GetInt32());
                    break;
                default:
                    var ecs = JsonDocument.Parse(msg).RootElement;
                    Assert.Equal("alert", ecs.GetProperty("event").GetProperty("kind").GetString());
                    Assert.Equal(n.Fields.Score, ecs.GetProperty("event").GetProperty("risk_score").GetInt32());
                    Assert.Equal(n.Fields.AlertName, ecs.GetProperty("rule").GetProperty("name").GetString());
                    Assert.Equal(n.Fields.Message, ecs.GetProperty("message").GetString());
                    Assert.Equal(DateTimeOffset.FromUnixTimeSeconds(n.Fields.EventTime), DateTimeOffset.Parse(ecs.GetProperty("@timestamp").GetString()!, System.Globalization.CultureInfo.InvariantCulture));
                    if (n.Fields.IsFlow)
                    {
                        Assert.Equal(n.Fields.CliIp, ecs.GetProperty("source").GetProperty("ip").GetString());
                        Assert.Equal(n.Fields.SrvPort, ecs.GetProperty("destination").GetProperty("port").GetInt32());
                        Assert.Equal("tcp", ecs.GetProperty("network").GetProperty("transport").GetString());
                    }
                    else
                    {
                        Assert.Equal("172.16.0.8", ecs.GetProperty("source").GetProperty("ip").GetString());
                    }
                    break;
            }
        }
        // The line break stayed inside the third message.
        Assert.DoesNotContain(File.ReadAllLines(rsyslog.OutputFile), l => l.StartsWith("second line", StringComparison.Ordinal));
    }

    [Fact]
    public void Plaintext_is_ntopngs_bracketed_line_with_values_kept_on_one_line()
    {
        var n = Notification.FromAlert(TestAlerts.Host(2, AlertAction.Release));
        Assert.Equal("[2024-05-01T10:01:02Z][Warning][TCP SYN Scan][Host][172.16.0.8@0][Released] alert #2", AlertText.Line(n));
        var flow = Notification.FromAlert(TestAlerts.Flow(1, message: "a\nb\u001b[31m"));
        Assert.Equal("[2024-05-01T10:00:01Z][Notice][TCP Connection Refused][Flow][10.0.0.1:40001 -> 192.0.2.10:80] a\\nb\\u001b[31m", AlertText.Line(flow));
    }

    [Theory]
    [InlineData("plaintext")]
    [InlineData("json")]
    [InlineData("ecs")]
    public async Task A_message_longer_than_the_limit_is_cut_visibly(string format)
    {
        var marker = "m" + Guid.NewGuid().ToString("N")[..12];
        var yaml = $"""
            endpoints:
              log:
                type: syslog
                {Transport("udp")}
                format: {format}
                max_message_size: 600
            recipients:
              siem: {"{"}endpoint: log, min_severity: debug{"}"}
            """;
        var alert = TestAlerts.Flow(1, message: marker + " " + new string('é', 2000) + "\"quoted\"");
        var h = Harness.Create(dir, yaml);
        await using (h)
        {
            await h.DeliverAllAsync([alert]);
        }
        var line = Assert.Single(await rsyslog.LinesAsync(marker, 1));
        Assert.InRange(System.Text.Encoding.UTF8.GetByteCount(line.Msg), 400, 600);
        if (format == "plaintext")
        {
            Assert.EndsWith("…[truncated]", line.Msg, StringComparison.Ordinal);
            return;
        }
        // A JSON body stays JSON (it used to be cut mid-string), its long message cut, its short members whole.
        var doc = JsonDocument.Parse(line.Msg.TrimStart(' ')).RootElement;
        Assert.True(doc.GetProperty("truncated").GetBoolean());
        var message = doc.GetProperty("message").GetString()!;
        Assert.StartsWith(marker + " éé", message, StringComparison.Ordinal);
        Assert.EndsWith("…[truncated]", message, StringComparison.Ordinal);
        if (format == "json")
            Assert.Equal((alert.Type.Id, "10.0.0.1"), (doc.GetProperty("alert_id").GetInt32(), doc.GetProperty("cli_ip").GetString()));
        else
            Assert.Equal("10.0.0.1", doc.GetProperty("source").GetProperty("ip").GetString());
    }

    [Fact]
    public void Shrinking_json_ends_fits_and_keeps_the_embedded_json_whole_at_any_budget()
    {
        // Three-byte characters then ASCII, and escapes: the cut that once never ended (it kept cutting its own marker).
        var message = new string('漢', 100) + new string('a', 60) + "\"\\\n";
        var parameters = new System.Text.Json.Nodes.JsonObject { ["last_url"] = "example.com/" + new string('漢', 80) + "?id=1&x=" + new string('a', 200) };
        var body = System.Text.Encoding.UTF8.GetBytes(new System.Text.Json.Nodes.JsonObject
        {
            ["alert_id"] = 44,
            ["cli_ip"] = "10.0.0.1",
            ["info"] = "example.com/" + new string('漢', 120) + "?id=1&x=" + new string('a', 100),
            ["json"] = parameters.ToJsonString(),
            ["message"] = message,
        }.ToJsonString());
        for (int budget = 60; budget < body.Length; budget += 3)
        {
            var fitted = Endpoints.SyslogEndpointType.ShrinkJson(body, budget);
            Assert.True(fitted.Length <= budget, $"{fitted.Length} bytes for a budget of {budget}");
            var doc = JsonDocument.Parse(fitted).RootElement;
            Assert.True(doc.GetProperty("truncated").GetBoolean());
            if (doc.TryGetProperty("json", out var json))
                Assert.Equal(parameters.ToJsonString(), json.GetString());
            foreach (var name in new[] { "message", "info" })
            {
                if (!doc.TryGetProperty(name, out var value))
                    continue;
                var text = value.GetString()!;
                Assert.DoesNotContain('\uFFFD', text);
                if (text.EndsWith("…[truncated]", StringComparison.Ordinal))
                    Assert.Equal(text.Length - "…[truncated]".Length, text.IndexOf('…', StringComparison.Ordinal));
            }
        }
    }

    [Fact]
    public void A_json_body_drops_empty_members_first_then_its_largest_ones()
    {
        var body = System.Text.Encoding.UTF8.GetBytes("""{"alert_id":7,"flag":false,"none":"","big":[1,2,3,4,5,6,7,8,9,10,11,12,13,14,15,16,17,18,19,20],"s":"short"}""");
        var fitted = Endpoints.SyslogEndpointType.ShrinkJson(body, 43);
        Assert.Equal("""{"alert_id":7,"s":"short","truncated":true}""", System.Text.Encoding.UTF8.GetString(fitted));
        Assert.Equal("""{"alert_id":7,"truncated":true}""", System.Text.Encoding.UTF8.GetString(Endpoints.SyslogEndpointType.ShrinkJson(body, 31)));
    }

    [Theory]
    [InlineData("tcp")]
    [InlineData("unix")]
    public async Task An_unreachable_server_is_a_network_failure_to_retry(string transport)
    {
        var where = transport == "tcp" ? $"transport: tcp\n    port: {FreePort.Tcp()}" : $"transport: unix\n    socket: {dir.File("missing.sock")}";
        var yaml = $"""
            endpoints:
              log:
                type: syslog
                {where}
            recipients:
              siem: {"{"}endpoint: log{"}"}
            """;
        var (sender, redactor) = EndpointContract.Sender(Harness.Config(dir, yaml), "siem");
        await using (sender)
        {
            var result = await NotificationDispatcher.SendAsync(sender, redactor, [Notification.FromAlert(TestAlerts.Flow(1))], CancellationToken.None);
            Assert.Equal(DeliveryOutcome.Retry, result.Outcome);
            Assert.Equal(FailureKind.Network, result.Kind);
            Assert.StartsWith(transport == "tcp" ? "tcp://127.0.0.1:" : "unix://", result.Text, StringComparison.Ordinal);
        }
    }

    [Fact]
    public async Task A_tcp_connection_the_server_closed_is_replaced_before_the_next_batch()
    {
        using var server = new System.Net.Sockets.TcpListener(System.Net.IPAddress.Loopback, 0);
        server.Start();
        int port = ((System.Net.IPEndPoint)server.LocalEndpoint).Port;
        var yaml = $"""
            endpoints:
              log:
                type: syslog
                transport: tcp
                port: {port}
                framing: lf
            recipients:
              siem: {"{"}endpoint: log, min_severity: debug{"}"}
            """;
        var (sender, redactor) = EndpointContract.Sender(Harness.Config(dir, yaml), "siem");
        await using (sender)
        {
            Assert.True((await NotificationDispatcher.SendAsync(sender, redactor, [Notification.FromAlert(TestAlerts.Flow(1))], CancellationToken.None)).IsDelivered);
            using (var first = await server.AcceptTcpClientAsync())
            {
                var line = await new StreamReader(first.GetStream()).ReadLineAsync();
                Assert.Contains("alert #1", line, StringComparison.Ordinal);
            }
            await Task.Delay(100);
            Assert.True((await NotificationDispatcher.SendAsync(sender, redactor, [Notification.FromAlert(TestAlerts.Flow(2))], CancellationToken.None)).IsDelivered);
            using var second = await server.AcceptTcpClientAsync();
            Assert.Contains("alert #2", await new StreamReader(second.GetStream()).ReadLineAsync(), StringComparison.Ordinal);
        }
    }
}
