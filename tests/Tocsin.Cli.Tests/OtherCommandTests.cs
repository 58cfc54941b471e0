using System.Globalization;
using System.Text.Json;
using Tocsin.Cli.Commands;
using Tocsin.Cli.Demo;
using Tocsin.Notifications;
using Tocsin.Store;
using Tocsin.Testing;

namespace Tocsin.Cli.Tests;

public class OtherCommandTests : IDisposable
{
    private readonly TempDirectory dir = new();

    public void Dispose() => dir.Dispose();

    [Fact]
    public void Checks_list_shows_every_check_with_its_defaults()
    {
        var (exit, output, _) = CliRunner.Run("checks", "list", "--format", "json");
        Assert.Equal(0, exit);
        var checks = JsonDocument.Parse(output).RootElement.EnumerateArray().ToDictionary(c => c.GetProperty("key").GetString()!);
        var scan = checks["syn_scan"];
        Assert.Equal("host", scan.GetProperty("entity").GetString());
        Assert.Equal("security", scan.GetProperty("category").GetString());
        Assert.False(scan.GetProperty("enabled_by_default").GetBoolean());
        Assert.Equal(5, scan.GetProperty("alert_id").GetInt32());
        var threshold = scan.GetProperty("parameters").EnumerateArray().Single(p => p.GetProperty("name").GetString() == "threshold");
        Assert.Equal("256", threshold.GetProperty("default").GetString());
        Assert.True(checks["tcp_connection_refused"].GetProperty("enabled_by_default").GetBoolean());
        Assert.Equal(Checks.CheckCatalog.Discover().All.Count, checks.Count);
        Assert.Equal(28, checks["tls_certificate_selfsigned"].GetProperty("alert_id").GetInt32());

        var (_, table, _) = CliRunner.Run("checks", "list");
        Assert.Contains("syn_scan", table, StringComparison.Ordinal);
        Assert.Contains("threshold=256 (integer)", table, StringComparison.Ordinal);
    }

    [Fact]
    public void Checks_list_with_a_config_shows_the_configured_values()
    {
        var config = dir.File("t.yaml");
        File.WriteAllText(config, "checks:\n  syn_scan:\n    enabled: true\n    threshold: 99\n");
        var (exit, output, _) = CliRunner.Run("checks", "list", "-c", config, "-f", "ndjson");
        Assert.Equal(0, exit);
        var scan = output.Split('\n', StringSplitOptions.RemoveEmptyEntries).Select(l => JsonDocument.Parse(l).RootElement)
            .Single(c => c.GetProperty("key").GetString() == "syn_scan");
        Assert.True(scan.GetProperty("enabled").GetBoolean());
        Assert.Equal("99", scan.GetProperty("parameters")[0].GetProperty("value").GetString());
    }

    [Fact]
    public void Alerts_list_filters_the_store()
    {
        var db = dir.File("a.db");
        var config = dir.File("t.yaml");
        File.WriteAllText(config, "local_networks: [172.16.0.0/12]\nchecks:\n  syn_scan: {enabled: true}\n  flow_flood: {enabled: true}\n");
        Assert.Equal(0, CliRunner.Run("analyze", SharedData.NdpiPcap("synscan.pcap"), "-c", config, "--db", db, "-f", "ndjson", "--no-dpi").Exit);

        List<JsonElement> List(params string[] filters)
        {
            var (exit, output, error) = CliRunner.Run(["alerts", "list", "--db", db, "-f", "ndjson", .. filters]);
            Assert.True(exit == 0, error);
            return [.. output.Split('\n', StringSplitOptions.RemoveEmptyEntries).Select(l => JsonDocument.Parse(l).RootElement)];
        }

        Assert.Equal(9, List().Count);
        Assert.Equal(5, List("--family", "flow").Count);
        Assert.Equal(2, List("--type", "syn_scan").Count);
        Assert.Equal(4, List("--type", "5,4").Count);
        Assert.Equal(2, List("--family", "host", "--ip", "172.16.0.8").Count);
        Assert.Equal(2, List("--entity", "64.13.134.52@0").Count);
        Assert.Equal(5, List("--srv-ip", "64.13.134.52").Count);
        Assert.Equal(2, List("--port", "113").Count);
        Assert.Equal(4, List("--severity", "warning").Count);
        Assert.Empty(List("--since", "2011-01-01T00:00:00Z"));
        Assert.Equal(9, List("--until", "2010-07-05").Count);
        Assert.Equal(3, List("--limit", "3").Count);

        var (exit, table, _) = CliRunner.Run("alerts", "list", "--db", db, "--type", "syn_scan");
        Assert.Equal(0, exit);
        Assert.Contains("2 of 2 alerts", table, StringComparison.Ordinal);

        Assert.Equal(1, CliRunner.Run("alerts", "list", "--db", db, "--type", "no_such_alert").Exit);
        Assert.Equal(1, CliRunner.Run("alerts", "list", "--db", db, "--severity", "loud").Exit);
        Assert.Equal(1, CliRunner.Run("alerts", "list", "--db", dir.File("missing.db")).Exit);
        Assert.Equal(1, CliRunner.Run("alerts", "list").Exit);
    }

    [Fact]
    public void Alerts_list_finds_system_alerts_by_name()
    {
        var db = dir.File("system.db");
        using (var store = new SqliteAlertStore(db, StoredAlertTypes.Discover()))
            store.Add(SystemAlerts.Dropped("soc", queued: 10, deadLetters: 0, totalDropped: 3, queueSize: 10, DateTimeOffset.FromUnixTimeSeconds(1_700_000_000)));
        var (exit, output, error) = CliRunner.Run("alerts", "list", "--db", db, "--type", "dropped_alerts", "-f", "ndjson");
        Assert.True(exit == 0, error);
        var alert = JsonDocument.Parse(output).RootElement;
        Assert.Equal("dropped_alerts", alert.GetProperty("alert_name").GetString());
        Assert.Equal(SystemAlerts.DroppedAlerts.Id, alert.GetProperty("alert_id").GetInt32());
    }

    [Theory]
    [InlineData("not a store", "", "tocsin: {db}: cannot read the alert store: SQLite Error 26: 'file is not a database'.")]
    [InlineData("newer schema", "", "tocsin: {db}: alert store schema version 99, this build reads version {version}")]
    [InlineData("empty store", "--limit -1", "tocsin: --limit: must be at least 1, got -1")]
    public void Alerts_list_errors_are_one_line_naming_the_file_or_option(string file, string options, string message)
    {
        var db = dir.File(file + ".db");
        switch (file)
        {
            case "not a store":
                File.WriteAllText(db, "these are notes, not a database, and they are long enough to fill a header page...");
                break;
            case "newer schema":
                StoreFile.Create(db, "PRAGMA user_version = 99");
                break;
            default:
                StoreFile.Create(db);
                break;
        }
        var (exit, output, error) = CliRunner.Run(["alerts", "list", "--db", db, .. options.Split(' ', StringSplitOptions.RemoveEmptyEntries)]);
        Assert.Equal(1, exit);
        Assert.Equal("", output);
        Assert.Equal(message.Replace("{db}", db).Replace("{version}", SqliteAlertStore.SchemaVersion.ToString(CultureInfo.InvariantCulture)), error.Trim());
    }

    [Fact]
    public void Recipients_list_shows_config_names_and_a_db_path_with_brackets()
    {
        var config = dir.File("n.yaml");
        File.WriteAllText(config, """
            endpoints:
              hook: {type: webhook, url: "http://127.0.0.1:9/hook"}
            recipients:
              soc: {endpoint: hook, categories: [ids_ips, security]}
            """);
        var db = dir.File("queues[1].db");
        var (exit, output, error) = CliRunner.Run("recipients", "list", "-c", config, "--db", db);
        Assert.True(exit == 0, error);
        Assert.Contains($"Recipients (queues in {db})", output, StringComparison.Ordinal);
        Assert.Contains("categories ids_ips, security", output, StringComparison.Ordinal);
    }

    [Fact]
    public void The_shipped_demo_capture_is_what_the_generator_writes()
    {
        using var generated = new MemoryStream();
        DemoCapture.Write(generated);
        var shipped = File.ReadAllBytes(Path.Combine(SharedData.RepoRoot, "demo", "demo.pcap"));
        Assert.Equal(shipped.Length, generated.Length);
        Assert.True(shipped.AsSpan().SequenceEqual(generated.ToArray()), "demo/demo.pcap differs from DemoCapture: run `tocsin demo --write-capture demo/demo.pcap`");
    }

    [Fact]
    public void The_demo_raises_several_alert_types_with_engage_and_release()
    {
        var (exit, output, error) = CliRunner.Run("demo", "--format", "ndjson", "--db", dir.File("demo.db"));
        Assert.True(exit == 0, error);
        var alerts = output.Split('\n', StringSplitOptions.RemoveEmptyEntries).Select(l => JsonDocument.Parse(l).RootElement).ToList();
        string Sig(JsonElement a) => $"{a.GetProperty("alert_name").GetString()}/{a.GetProperty("action").GetString()}";
        var counts = alerts.GroupBy(Sig).ToDictionary(g => g.Key, g => g.Count());
        Assert.Equal(DemoCapture.ClosedPorts.Count, counts["tcp_connection_refused/store"]);
        Assert.Equal(1, counts["remote_to_remote/store"]);
        foreach (var name in new[] { "syn_scan", "flow_flood", "syn_flood" })
        {
            Assert.Equal(2, counts[$"{name}/engage"]);
            Assert.Equal(2, counts[$"{name}/release"]);
        }
        Assert.Equal(1, counts["threshold_cross/engage"]);
        Assert.Equal(1, counts["threshold_cross/release"]);
        // nDPI guesses the refused scan targets by port; five of those protocols are unsafe.
        Assert.Equal(5, counts["ndpi_unsafe_protocol/store"]);
        Assert.Equal(11, counts.Count);
        var scanner = alerts.Where(a => a.GetProperty("entity_val").GetString() == "192.168.10.66@0" && a.GetProperty("alert_name").GetString() == "syn_scan").ToList();
        Assert.Equal(DemoCapture.StartSeconds + 60, scanner[0].GetProperty("tstamp").GetInt64());
        Assert.Equal(DemoCapture.StartSeconds + 120, scanner[1].GetProperty("tstamp_end").GetInt64());
        // The store holds each store and release event; engages live in memory only.
        var (listExit, stored, listError) = CliRunner.Run("alerts", "list", "--db", dir.File("demo.db"), "--limit", "1000", "-f", "ndjson");
        Assert.True(listExit == 0, listError);
        Assert.Equal(alerts.Count(a => a.GetProperty("action").GetString() != "engage"), stored.Split('\n', StringSplitOptions.RemoveEmptyEntries).Length);
    }

    [Fact]
    public void An_unforeseen_failure_is_one_line_with_its_own_exit_code()
    {
        var error = new StringWriter();
        int exit = TocsinCli.Run(["checks", "list", "--format", "json"], new CliEnvironment(new FailingWriter(), error, interactive: false));
        Assert.Equal(ExitCodes.Unexpected, exit);
        Assert.Equal("tocsin: No space left on device\n", error.ToString().ReplaceLineEndings("\n"));
    }

    /// <summary>Standard output on a full disk.</summary>
    private sealed class FailingWriter : StringWriter
    {
        public override void Write(char value) => throw new IOException("No space left on device");
        public override void Write(string? value) => throw new IOException("No space left on device");
        public override void Write(char[] buffer, int index, int count) => throw new IOException("No space left on device");
        public override void Write(ReadOnlySpan<char> buffer) => throw new IOException("No space left on device");
        public override void Flush() => throw new IOException("No space left on device");
    }
}
