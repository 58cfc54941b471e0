using System.Diagnostics;
using System.Text.Json;
using Tocsin.Capture;
using Tocsin.Decode;
using Tocsin.Cli.Commands;
using Tocsin.Cli.Tests;
using Tocsin.Testing;

namespace Tocsin.Notifications.Tests;

/// <summary>`tocsin recipients ...` and `tocsin analyze --notify`, in-process and as real processes.</summary>
public sealed class CliTests : ReceiverTest
{
    private string Config(string url, string extra = "")
    {
        var path = Dir.File("tocsin.yaml");
        File.WriteAllText(path, $"""
            checks:
              syn_scan: {"{"}enabled: true{"}"}
            store:
              path: alerts.db
            endpoints:
              hook:
                type: webhook
                url: {url}
                password: hunter2-cli
                batch_delay: 0
                retry_initial: 20ms
                retry_max: 200ms
            {extra}
            recipients:
              soc: {"{"}endpoint: hook, min_severity: debug{"}"}
            """);
        return path;
    }

    /// <summary>Each alert received, identified by its flow's client port or its type, action and entity.</summary>
    private static List<string> Ports(IEnumerable<ReceivedRequest> requests) =>
        [.. requests.SelectMany(r => JsonDocument.Parse(r.Body).RootElement.GetProperty("alerts").EnumerateArray()).Select(Identity)];

    private static string Identity(JsonElement a) => a.TryGetProperty("cli_port", out var port)
        ? port.GetInt32().ToString(System.Globalization.CultureInfo.InvariantCulture)
        : $"{a.GetProperty("alert_id").GetInt32()}:{a.GetProperty("action").GetString()}:{a.GetProperty("entity_val").GetString()}";

    [Fact]
    public void Analyze_notify_delivers_the_captures_alerts_and_reports_per_recipient()
    {
        var config = Config(Receiver.Url());
        var (exit, output, error) = CliRunner.Run("analyze", SharedData.NdpiPcap("synscan.pcap"), "--no-dpi", "-c", config, "--local-networks", "172.16.0.0/12",
            "--notify", "--format", "json");
        Assert.True(exit == 0, error);
        var doc = JsonDocument.Parse(output).RootElement;
        var notifications = doc.GetProperty("notifications");
        Assert.True(notifications.GetProperty("drained").GetBoolean());
        var soc = notifications.GetProperty("recipients").EnumerateArray().Single();
        Assert.Equal("soc", soc.GetProperty("name").GetString());
        Assert.Equal(9, soc.GetProperty("delivered").GetInt32());
        Assert.Equal(0, soc.GetProperty("queued").GetInt32());
        // What was delivered is what the analysis printed, in the same order.
        var printed = doc.GetProperty("alerts").EnumerateArray().Select(a => (a.GetProperty("alert_id").GetInt32(), a.GetProperty("action").GetString())).ToList();
        var received = Receiver.Accepted.SelectMany(r => JsonDocument.Parse(r.Body).RootElement.GetProperty("alerts").EnumerateArray())
            .Select(a => (a.GetProperty("alert_id").GetInt32(), a.GetProperty("action").GetString())).ToList();
        Assert.Equal(printed, received);
    }

    [Fact]
    public void A_drained_run_says_how_many_alerts_were_delivered_and_rejected()
    {
        var recipients = new[]
        {
            new RecipientStats { Name = "soc", Delivered = 1200, Failed = 2 },
            new RecipientStats { Name = "siem", Delivered = 5, Failed = 1 },
        };
        Assert.Equal("Queues drained: 1,205 delivered, 3 rejected (kept as dead letters; `tocsin recipients requeue` puts them back).",
            NotificationRun.Summary(new DeliveryReport(recipients, Drained: true, TimeSpan.FromSeconds(30))));
        Assert.Equal("Queues drained: 7 delivered, 0 rejected.",
            NotificationRun.Summary(new DeliveryReport([new RecipientStats { Name = "soc", Delivered = 7 }], Drained: true, TimeSpan.FromSeconds(30))));
    }

    [Fact]
    public void What_a_timed_out_run_leaves_queued_is_delivered_by_recipients_drain()
    {
        int port = FreePort.Tcp();
        var config = Config($"http://127.0.0.1:{port}/hook");
        var (exit, output, error) = CliRunner.Run("analyze", SharedData.NdpiPcap("synscan.pcap"), "--no-dpi", "-c", config, "--notify", "--notify-timeout", "1s");
        Assert.Equal(3, exit);
        Assert.Contains("Still queued after 1s: 9 alerts", output, StringComparison.Ordinal);
        Assert.Contains("connection refused", output, StringComparison.Ordinal);
        Assert.Contains("delivery failed (network", error, StringComparison.Ordinal);

        var (listExit, list, _) = CliRunner.Run("recipients", "list", "-c", config);
        Assert.Equal(0, listExit);
        Assert.Contains("9 / 100,000", list, StringComparison.Ordinal);
        Assert.Contains("password: ***", list, StringComparison.Ordinal);
        Assert.DoesNotContain("hunter2-cli", list, StringComparison.Ordinal);

        File.WriteAllText(config, File.ReadAllText(config).Replace($"http://127.0.0.1:{port}/hook", Receiver.Url()));
        var (drainExit, drained, drainError) = CliRunner.Run("recipients", "drain", "-c", config, "--timeout", "20s", "--format", "json");
        Assert.True(drainExit == 0, drainError);
        var soc = JsonDocument.Parse(drained).RootElement.GetProperty("recipients").EnumerateArray().Single();
        Assert.Equal(9, soc.GetProperty("delivered").GetInt32());
        Assert.Equal(9, Ports(Receiver.Accepted).Count);
    }

    [Fact]
    public void Recipients_test_sends_a_test_alert_and_prints_the_services_answer()
    {
        var config = Config(Receiver.Url());
        Receiver.Respond = (_, _) => new Reply(200, "thanks");
        var (exit, output, _) = CliRunner.Run("recipients", "test", "soc", "-c", config);
        Assert.Equal(0, exit);
        Assert.Contains($"soc (webhook http://127.0.0.1:{Receiver.Port}): delivered: HTTP 200 OK: thanks", output, StringComparison.Ordinal);
        var alert = JsonDocument.Parse(Assert.Single(Receiver.Requests).Body).RootElement.GetProperty("alerts")[0];
        Assert.Equal(4125, alert.GetProperty("alert_id").GetInt32());
        Assert.Equal("Tocsin test notification for recipient 'soc'", alert.GetProperty("message").GetString());

        Receiver.Respond = (_, _) => new Reply(401, "who are you");
        (exit, output, _) = CliRunner.Run("recipients", "test", "soc", "-c", config);
        Assert.Equal(3, exit);
        Assert.Contains("failed (auth): HTTP 401 Unauthorized: who are you", output, StringComparison.Ordinal);

        (exit, _, var error) = CliRunner.Run("recipients", "test", "nobody", "-c", config);
        Assert.Equal(1, exit);
        Assert.Contains("no recipient 'nobody'", error, StringComparison.Ordinal);
    }

    [Fact]
    public void A_token_in_the_webhook_urls_path_shows_nowhere()
    {
        // As Slack's hooks.slack.com/services/T…/B…/token: whoever has the URL can post.
        const string token = "sLaCkPaThToKeN0123456789";
        var config = Config(Receiver.Url($"/services/T0123ABCD/B0456EFGH/{token}"));
        // The service echoes the path it was called on, as 404 pages do.
        Receiver.Respond = (r, _) => new Reply(404, $"no hook at {r.Path}");
        var seen = new System.Text.StringBuilder();
        var runs = new[]
        {
            new[] { "analyze", SharedData.NdpiPcap("synscan.pcap"), "--no-dpi", "-c", config, "--notify", "--notify-timeout", "1s" },
            ["recipients", "list", "-c", config],
            ["recipients", "list", "-c", config, "-f", "json"],
            ["recipients", "test", "soc", "-c", config],
        };
        foreach (var args in runs)
        {
            var (_, output, error) = CliRunner.Run(args);
            seen.AppendLine(output).AppendLine(error);
        }
        Assert.True(Receiver.Requests.Count >= 2, "the service was not called");
        var text = seen.ToString();
        Assert.Contains($"url: http://127.0.0.1:{Receiver.Port}/***", text, StringComparison.Ordinal);
        Assert.Contains("the endpoint refuses every alert", text, StringComparison.Ordinal);
        Assert.Contains("HTTP 404 Not Found: no hook at /***/***/***/***", text, StringComparison.Ordinal);

        // A config error in that URL (no scheme) does not quote it either.
        File.WriteAllText(config, File.ReadAllText(config).Replace($"http://127.0.0.1:{Receiver.Port}", "hooks.example.com"));
        var (exit, _, configError) = CliRunner.Run("recipients", "list", "-c", config);
        Assert.Equal(1, exit);
        Assert.Contains("endpoints.hook.url", configError, StringComparison.Ordinal);
        EndpointContract.AssertNoSecrets([token], text + configError, "the CLI's output");
    }

    [Fact]
    public void Recipients_requeue_puts_rejected_alerts_back()
    {
        var config = Config(Receiver.Url());
        Receiver.Respond = (_, _) => new Reply(422, "no");
        var (exit, output, _) = CliRunner.Run("analyze", SharedData.NdpiPcap("synscan.pcap"), "--no-dpi", "-c", config, "--notify");
        Assert.Equal(0, exit);
        Assert.Matches(@"soc\s+0\s+0\s+0\s+9\s+0", output);

        Receiver.Respond = (_, _) => Reply.Ok;
        (exit, output, _) = CliRunner.Run("recipients", "requeue", "soc", "-c", config);
        Assert.Equal(0, exit);
        Assert.Contains("9 rejected alert(s) of soc queued again", output, StringComparison.Ordinal);
        (exit, _, _) = CliRunner.Run("recipients", "drain", "-c", config);
        Assert.Equal(0, exit);
        Assert.Equal(9, Ports(Receiver.Accepted).Count);
    }

    [Fact]
    public void Recipients_types_lists_each_types_parameters_with_secrets_flagged()
    {
        var (exit, output, _) = CliRunner.Run("recipients", "types", "-f", "json");
        Assert.Equal(0, exit);
        var types = JsonDocument.Parse(output).RootElement.EnumerateArray().ToDictionary(t => t.GetProperty("type").GetString()!);
        Assert.Equal(["shell", "syslog", "webhook"], types.Keys.Order());
        var webhook = types["webhook"].GetProperty("parameters").EnumerateArray().ToDictionary(p => p.GetProperty("name").GetString()!);
        Assert.True(webhook["url"].GetProperty("required").GetBoolean());
        Assert.Equal(["headers", "password", "shared_secret", "signing_key"],
            webhook.Values.Where(p => p.GetProperty("secret").GetBoolean()).Select(p => p.GetProperty("name").GetString()).Order());
        Assert.Equal("10", webhook["batch_size"].GetProperty("default").GetString());
        var shell = types["shell"].GetProperty("parameters").EnumerateArray().ToDictionary(p => p.GetProperty("name").GetString()!);
        Assert.Equal("recipient", shell["run_on"].GetProperty("scope").GetString());
    }

    [Fact]
    public void Notify_needs_recipients()
    {
        var path = Dir.File("empty.yaml");
        File.WriteAllText(path, "local_networks: [10.0.0.0/8]\n");
        var (exit, _, error) = CliRunner.Run("analyze", SharedData.NdpiPcap("synscan.pcap"), "--no-dpi", "-c", path, "--notify");
        Assert.Equal(1, exit);
        Assert.Contains("defines no recipients", error, StringComparison.Ordinal);
    }

    /// <summary>
    /// The real CLI delivering to a slow service is killed with SIGKILL mid-delivery; `recipients drain` in a new
    /// process delivers the rest: every alert arrives, in order, and only the batch in flight may arrive twice.
    /// </summary>
    [Fact]
    public async Task Killed_during_delivery_then_drained_nothing_is_lost_and_only_the_batch_in_flight_repeats()
    {
        const int flows = 300;
        var capture = RefusedConnections(Dir.File("refused.pcap"), flows);
        Receiver.Respond = (_, _) => new Reply(200, Delay: TimeSpan.FromMilliseconds(150));
        var config = Config(Receiver.Url());

        // The order the engine publishes the alerts in (ndjson prints them as they leave the engine).
        var (exit, ndjson, _) = CliRunner.Run("analyze", capture, "--no-dpi", "-c", config, "--db", Dir.File("reference.db"), "-f", "ndjson");
        Assert.Equal(0, exit);
        var expected = ndjson.Split('\n', StringSplitOptions.RemoveEmptyEntries).Select(l => Identity(JsonDocument.Parse(l).RootElement)).ToList();
        Assert.Equal(expected.Count, expected.Distinct().Count());
        Assert.Equal(flows, expected.Count(e => !e.Contains(':', StringComparison.Ordinal)));

        using (var analysis = Tocsin(new System.Text.StringBuilder(), "analyze", capture, "--no-dpi", "-c", config, "--notify", "-f", "ndjson"))
        {
            await Receiver.WaitAsync(r => r.Count >= 3, TimeSpan.FromSeconds(30));
            analysis.Kill();
            await analysis.WaitForExitAsync();
            Assert.Equal(137, analysis.ExitCode);
        }
        var killedAt = DateTimeOffset.UtcNow;
        // Everything the service saw, including the batch in flight whose answer the killed process never read.
        var firstRun = Receiver.Requests.ToList();
        // Everything the analysis published was committed before the kill: delivered (acknowledged) plus queued.
        var stored = NotificationQueue.ReadStats(Dir.File("alerts.db")).Single();
        Assert.Equal(expected.Count, stored.Delivered + stored.Queued);
        Assert.True(stored.Queued > 0, "the kill came after the end of delivery");

        Receiver.Respond = (_, _) => Reply.Ok;
        var drainErrors = new System.Text.StringBuilder();
        using (var drain = Tocsin(drainErrors, "recipients", "drain", "-c", config, "--timeout", "30s"))
        {
            await drain.WaitForExitAsync();
            Assert.True(drain.ExitCode == 0, drainErrors.ToString());
        }

        var secondRun = Receiver.Requests.Where(r => r.At > killedAt).ToList();
        Assert.Equal(secondRun.Count, Receiver.Accepted.Count(r => r.At > killedAt));
        var all = Ports(firstRun).Concat(Ports(secondRun)).ToList();
        Assert.Equal(expected, all.Distinct().ToList());
        int repeated = all.Count - expected.Count;
        Assert.InRange(repeated, 0, 10);
        if (repeated > 0)
        {
            // The repeats are the batch the killed process had in flight, sent again first.
            Assert.Equal(Ports([firstRun[^1]]), Ports(secondRun).Take(repeated));
        }
        Assert.Equal(0, NotificationQueue.ReadStats(Dir.File("alerts.db")).Single().Queued);
    }

    /// <summary>
    /// `dotnet tocsin.dll ...` as a child process; stderr goes to <paramref name="errors"/>. The CLI's own build output
    /// (artifacts/bin/Tocsin.Cli/&lt;configuration&gt;), not the copy beside these tests: that one lacks the libraries
    /// the tests take from the ASP.NET Core framework.
    /// </summary>
    private Process Tocsin(System.Text.StringBuilder errors, params string[] args)
    {
        var here = AppContext.BaseDirectory.TrimEnd(Path.DirectorySeparatorChar);
        var dll = Path.GetFullPath(Path.Combine(here, "..", "..", "Tocsin.Cli", Path.GetFileName(here), "tocsin.dll"));
        Assert.True(File.Exists(dll), $"the CLI build is not at {dll}");
        var start = new ProcessStartInfo("dotnet") { WorkingDirectory = Dir.Path, RedirectStandardOutput = true, RedirectStandardError = true };
        start.ArgumentList.Add(dll);
        foreach (var a in args)
            start.ArgumentList.Add(a);
        var process = Process.Start(start)!;
        // Drained so the child never blocks on a full pipe.
        process.OutputDataReceived += (_, _) => { };
        process.ErrorDataReceived += (_, e) =>
        {
            lock (errors)
                errors.AppendLine(e.Data);
        };
        process.BeginOutputReadLine();
        process.BeginErrorReadLine();
        return process;
    }

    /// <summary>A capture of <paramref name="count"/> connection attempts answered by resets, from client ports 20000 up.</summary>
    private static string RefusedConnections(string path, int count)
    {
        using var writer = new PcapWriter(path, LinkType.Ethernet);
        var client = IpAddr.Parse("10.1.0.1");
        var server = IpAddr.Parse("10.2.0.1");
        long t = 1_714_557_600L * 1_000_000_000;
        for (int i = 0; i < count; i++)
        {
            ushort port = (ushort)(20000 + i);
            writer.Write(t, PacketBuilder.Tcp(client, port, server, 80, TcpFlags.Syn, 1000));
            writer.Write(t + 100_000, PacketBuilder.Tcp(server, 80, client, port, (byte)(TcpFlags.Rst | TcpFlags.Ack), 0, 1001));
            t += 1_000_000;
        }
        return path;
    }
}
