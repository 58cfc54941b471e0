using System.Text.Json;
using Tocsin.Testing;

namespace Tocsin.Cli.Tests;

public class AnalyzeCommandTests : IDisposable
{
    private readonly TempDirectory dir = new();

    public void Dispose() => dir.Dispose();

    private string Config(string yaml)
    {
        var path = dir.File("tocsin.yaml");
        File.WriteAllText(path, yaml);
        return path;
    }

    private string ScanConfig() => Config("""
        checks:
          syn_scan: {enabled: true}
          tcp_connection_refused: {enabled: true}
        """);

    [Fact]
    public void Ndjson_puts_only_alerts_on_stdout_and_the_summary_on_stderr()
    {
        var (exit, output, error) = CliRunner.Run("analyze", SharedData.NdpiPcap("synscan.pcap"), "--config", ScanConfig(),
            "--local-networks", "172.16.0.0/12", "--format", "ndjson", "--db", dir.File("a.db"), "--no-dpi");
        Assert.Equal(0, exit);
        var lines = output.Split('\n', StringSplitOptions.RemoveEmptyEntries);
        var alerts = lines.Select(l => JsonDocument.Parse(l).RootElement).ToList();
        Assert.Equal(9, alerts.Count);   // 5 refused connections, syn_scan engaged and released for 2 hosts
        foreach (var a in alerts)
        {
            foreach (var key in new[] { "alert_id", "alert_name", "entity_id", "entity_val", "action", "severity", "score", "tstamp", "tstamp_end" })
                Assert.True(a.TryGetProperty(key, out _), $"missing {key}");
        }
        var refused = alerts.Where(a => a.GetProperty("alert_name").GetString() == "tcp_connection_refused").ToList();
        Assert.Equal(5, refused.Count);
        Assert.All(refused, a =>
        {
            Assert.Equal("172.16.0.8", a.GetProperty("cli_ip").GetString());
            Assert.Equal("64.13.134.52", a.GetProperty("srv_ip").GetString());
            Assert.Equal(6, a.GetProperty("proto").GetInt32());
            Assert.True(a.GetProperty("cli_port").GetInt32() > 1024);
            Assert.True(a.TryGetProperty("srv_port", out _));
            Assert.Equal("store", a.GetProperty("action").GetString());
        });
        var scans = alerts.Where(a => a.GetProperty("alert_id").GetInt32() == 5).ToList();
        Assert.Equal(["engage", "engage", "release", "release"], scans.Select(a => a.GetProperty("action").GetString()));
        Assert.Contains("172.16.0.8@0", scans.Select(a => a.GetProperty("entity_val").GetString()));
        Assert.Contains("Summary", error, StringComparison.Ordinal);
        Assert.Contains("1,994", error, StringComparison.Ordinal);   // flows
    }

    [Fact]
    public void Json_gives_one_document_with_alerts_and_summary()
    {
        var (exit, output, _) = CliRunner.Run("analyze", SharedData.NdpiPcap("synscan.pcap"), "-c", ScanConfig(), "-f", "json", "--db", dir.File("a.db"), "--no-dpi");
        Assert.Equal(0, exit);
        var doc = JsonDocument.Parse(output).RootElement;
        Assert.Equal(9, doc.GetProperty("alerts").GetArrayLength());
        var summary = doc.GetProperty("summary");
        Assert.Equal(2011, summary.GetProperty("packets").GetInt64());
        Assert.Equal(1994, summary.GetProperty("flows").GetInt64());
        Assert.Equal(2, summary.GetProperty("hosts").GetInt64());
        Assert.Equal(2, summary.GetProperty("engaged_at_end").GetInt32());
        Assert.Contains(summary.GetProperty("alerts_by_type").EnumerateArray(),
            a => a.GetProperty("alert_name").GetString() == "tcp_connection_refused" && a.GetProperty("count").GetInt64() == 5);
    }

    [Fact]
    public void Table_output_lists_alerts_then_the_summary()
    {
        var (exit, output, _) = CliRunner.Run("analyze", SharedData.NdpiPcap("synscan.pcap"), "-c", ScanConfig(), "--db", dir.File("a.db"), "--no-dpi");
        Assert.Equal(0, exit);
        int alerts = output.IndexOf("tcp_connection_refused (20)", StringComparison.Ordinal);
        int summary = output.IndexOf("Summary", StringComparison.Ordinal);
        Assert.True(alerts >= 0 && summary > alerts);
        Assert.Contains("Still engaged at the end of the capture", output, StringComparison.Ordinal);
        Assert.Contains("packets/s", output, StringComparison.Ordinal);
        Assert.DoesNotContain("\u001b[", output, StringComparison.Ordinal);   // no colour codes when redirected
    }

    [Fact]
    public void The_alerts_land_in_the_store()
    {
        var db = dir.File("store.db");
        Assert.Equal(0, CliRunner.Run("analyze", SharedData.NdpiPcap("synscan.pcap"), "-c", ScanConfig(), "--db", db, "-f", "ndjson", "--no-dpi").Exit);
        var (exit, output, _) = CliRunner.Run("alerts", "list", "--db", db, "--format", "ndjson");
        Assert.Equal(0, exit);
        var stored = output.Split('\n', StringSplitOptions.RemoveEmptyEntries).Select(l => JsonDocument.Parse(l).RootElement).ToList();
        Assert.Equal(7, stored.Count);   // engage events are not stored: 5 refused + 2 released scans
        Assert.DoesNotContain(stored, a => a.GetProperty("action").GetString() == "engage");
    }


    [Fact]
    public void A_store_failing_under_the_analysis_still_prints_the_alerts_and_summary_then_one_error_line()
    {
        var db = dir.File("failing.db");
        // Every insert fails, as on a full disk: the first commit of the run is refused.
        StoreFile.Create(db, """
            CREATE TRIGGER refuse_flow BEFORE INSERT ON flow_alerts BEGIN SELECT RAISE(ABORT, 'database or disk is full'); END;
            CREATE TRIGGER refuse_host BEFORE INSERT ON host_alerts BEGIN SELECT RAISE(ABORT, 'database or disk is full'); END;
            """);
        var (exit, output, error) = CliRunner.Run("analyze", SharedData.NdpiPcap("synscan.pcap"), "-c", ScanConfig(), "-f", "json", "--db", db, "--no-dpi");
        Assert.Equal(1, exit);
        var document = JsonDocument.Parse(output).RootElement;
        Assert.Equal(9, document.GetProperty("alerts").GetArrayLength());
        Assert.Equal(1994, document.GetProperty("summary").GetProperty("flows").GetInt64());
        Assert.Equal($"tocsin: {db}: writing alerts to the store failed after 0 alerts: SQLite Error 19: 'database or disk is full'.", error.Trim());
    }

    [Fact]
    public void Quiet_prints_the_summary_only_and_still_stores_the_alerts()
    {
        var db = dir.File("quiet.db");
        var (exit, output, _) = CliRunner.Run("analyze", SharedData.NdpiPcap("synscan.pcap"), "-c", ScanConfig(), "--db", db, "-f", "json", "-q", "--no-dpi");
        Assert.Equal(0, exit);
        var root = JsonDocument.Parse(output).RootElement;
        Assert.False(root.TryGetProperty("alerts", out _));
        // The final commit of the queued alerts is timed apart from the analysis (the benchmark adds it back).
        Assert.InRange(root.GetProperty("summary").GetProperty("store_drain_seconds").GetDouble(), 0, 60);
        Assert.Equal(5, root.GetProperty("summary").GetProperty("alerts_by_type").EnumerateArray()
            .Single(t => t.GetProperty("alert_name").GetString() == "tcp_connection_refused").GetProperty("count").GetInt32());
        var table = CliRunner.Run("analyze", SharedData.NdpiPcap("synscan.pcap"), "-c", ScanConfig(), "--db", dir.File("quiet2.db"), "-q", "--no-dpi").Out;
        Assert.StartsWith("── Summary", table, StringComparison.Ordinal);
        Assert.DoesNotContain("64.13.134.52", table, StringComparison.Ordinal);
        Assert.Contains("Alerts stored in", table, StringComparison.Ordinal);
        Assert.Contains("s storing the last alerts", table, StringComparison.Ordinal);
        Assert.Equal(7, CliRunner.Run("alerts", "list", "--db", db, "--format", "ndjson").Out.Split('\n', StringSplitOptions.RemoveEmptyEntries).Length);
    }

    [Fact]
    public void No_store_prints_the_alerts_and_leaves_no_database()
    {
        var db = dir.File("none.db");
        var (exit, output, error) = CliRunner.Run("analyze", SharedData.NdpiPcap("synscan.pcap"), "-c", ScanConfig(), "--db", db, "-f", "ndjson", "--no-store", "--no-dpi");
        Assert.Equal(0, exit);
        Assert.Equal(9, output.Split('\n', StringSplitOptions.RemoveEmptyEntries).Length);
        Assert.Contains("Alerts not stored", error, StringComparison.Ordinal);
        Assert.DoesNotContain("storing the last alerts", error, StringComparison.Ordinal);
        Assert.False(File.Exists(db));
        var notify = CliRunner.Run("analyze", SharedData.NdpiPcap("synscan.pcap"), "--no-store", "--notify", "--no-dpi");
        Assert.Equal(1, notify.Exit);
        Assert.Contains("--notify needs the store", notify.Err, StringComparison.Ordinal);
    }
    [Fact]
    public void A_missing_capture_exits_with_2_and_one_line()
    {
        var (exit, output, error) = CliRunner.Run("analyze", dir.File("nope.pcap"), "--db", dir.File("a.db"));
        Assert.Equal(2, exit);
        Assert.Equal("", output);
        Assert.Equal($"tocsin: {dir.File("nope.pcap")}: no such capture file", error.Trim());
    }

    [Fact]
    public void A_file_that_is_not_a_capture_exits_with_2()
    {
        var path = dir.File("notes.txt");
        File.WriteAllText(path, "hello, this is not a capture");
        var (exit, _, error) = CliRunner.Run("analyze", path, "--db", dir.File("a.db"), "-f", "ndjson");
        Assert.Equal(2, exit);
        Assert.Contains("not a pcap or pcapng file", error, StringComparison.Ordinal);
        Assert.Contains("at byte offset 0", error, StringComparison.Ordinal);
    }

    [Fact]
    public void A_truncated_capture_reports_the_offset_keeps_what_was_read_and_exits_with_2()
    {
        var whole = File.ReadAllBytes(SharedData.NdpiPcap("synscan.pcap"));
        var cut = dir.File("cut.pcap");
        File.WriteAllBytes(cut, whole[..100_000]);
        var (exit, output, error) = CliRunner.Run("analyze", cut, "-c", ScanConfig(), "-f", "json", "--db", dir.File("a.db"), "--no-dpi");
        Assert.Equal(2, exit);
        Assert.Matches(@"cut\.pcap: truncated .* at byte offset \d+ \(\d+ packets read before it are analysed\)", error);
        var summary = JsonDocument.Parse(output).RootElement.GetProperty("summary");
        long packets = summary.GetProperty("packets").GetInt64();
        Assert.InRange(packets, 1000, 2010);
        Assert.Equal(1, summary.GetProperty("capture_errors").GetArrayLength());
    }

    [Fact]
    public void Bad_config_exits_with_1_naming_the_line()
    {
        var config = Config("checks:\n  syn_scan:\n    threshold: many\n");
        var (exit, output, error) = CliRunner.Run("analyze", SharedData.NdpiPcap("synscan.pcap"), "-c", config, "--db", dir.File("a.db"));
        Assert.Equal(1, exit);
        Assert.Equal("", output);
        Assert.Equal($"tocsin: {config}:3:16: checks.syn_scan.threshold: threshold must be an integer, got 'many'", error.Trim());
    }

    [Fact]
    public void Bad_usage_exits_with_1()
    {
        Assert.Equal(1, CliRunner.Run("analyze").Exit);
        Assert.Equal(1, CliRunner.Run("analyze", "x.pcap", "--frobnicate").Exit);
        Assert.Equal(1, CliRunner.Run("analyze", "x.pcap", "--format", "xml").Exit);
        var (exit, _, error) = CliRunner.Run("analyze", SharedData.NdpiPcap("synscan.pcap"), "--local-networks", "10.0.0.0/99", "--db", dir.File("a.db"));
        Assert.Equal(1, exit);
        Assert.Contains("--local-networks", error, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("NaNs", "--notify-timeout: 'NaNs' is not a finite duration")]
    [InlineData("100000000d", "--notify-timeout: '100000000d' is longer than the longest duration, 10675199d")]
    [InlineData("0s", "--notify-timeout: must be longer than zero, got '0s'")]
    public void A_bad_notify_timeout_is_a_usage_error(string timeout, string message)
    {
        var (exit, _, error) = CliRunner.Run("analyze", SharedData.NdpiPcap("synscan.pcap"), "--notify-timeout", timeout, "--db", dir.File("a.db"));
        Assert.Equal(1, exit);
        Assert.Contains(message, error, StringComparison.Ordinal);
        Assert.DoesNotContain("   at ", error, StringComparison.Ordinal);
    }

    [Fact]
    public void Several_captures_are_one_stream()
    {
        var (exit, output, _) = CliRunner.Run("analyze", SharedData.NdpiPcap("NTPv4.pcap"), SharedData.NdpiPcap("tk.pcap"), "-f", "json", "--db", dir.File("a.db"));
        Assert.Equal(0, exit);
        var summary = JsonDocument.Parse(output).RootElement.GetProperty("summary");
        Assert.Equal(1 + 6, summary.GetProperty("packets").GetInt64());
        Assert.Equal(1 + 3, summary.GetProperty("flows").GetInt64());
    }

    /// <summary>
    /// tls_invalid_reads.pcap: 3 of its 12 frames are QinQ-tagged GTP-U; dnscrypt-v1-and-resolver-pings.pcap: 240
    /// IPv4 fragments, 120 of them later ones (tshark: vlan, gtp, ip.flags.mf == 1 || ip.frag_offset > 0).
    /// </summary>
    [Fact]
    public void The_summary_reports_tags_tunnels_and_fragments()
    {
        string[] captures = [SharedData.NdpiPcap("tls_invalid_reads.pcap"), SharedData.NdpiPcap("dnscrypt-v1-and-resolver-pings.pcap")];
        var (exit, output, _) = CliRunner.Run(["analyze", .. captures, "-f", "json", "-q", "--db", dir.File("a.db"), "--no-dpi"]);
        Assert.Equal(0, exit);
        var summary = JsonDocument.Parse(output).RootElement.GetProperty("summary");
        Assert.Equal(240, summary.GetProperty("fragments").GetInt64());
        Assert.Equal(120, summary.GetProperty("later_fragments").GetInt64());
        Assert.Equal(3, summary.GetProperty("vlan_tagged").GetInt64());
        Assert.Equal(0, summary.GetProperty("mpls").GetInt64());
        Assert.Equal(0, summary.GetProperty("pppoe").GetInt64());
        Assert.Equal([("gtpu", 3L)], summary.GetProperty("tunnels").EnumerateObject().Select(t => (t.Name, t.Value.GetInt64())));

        var table = CliRunner.Run(["analyze", .. captures, "-q", "--db", dir.File("b.db"), "--no-dpi"]).Out;
        Assert.Contains("240, 120 of them later fragments", table, StringComparison.Ordinal);
        Assert.Contains("VLAN-tagged 3", table, StringComparison.Ordinal);
        Assert.Contains("GtpU 3", table, StringComparison.Ordinal);
        Assert.DoesNotContain("MPLS", table, StringComparison.Ordinal);
    }

    /// <summary>With nDPI each flow alert carries the application protocol, the host name and the risks.</summary>
    [Fact]
    public void Flow_alerts_carry_what_ndpi_found()
    {
        var (exit, output, error) = CliRunner.Run("analyze", SharedData.NdpiPcap("selfsigned.pcap"), "--format", "ndjson", "--db", dir.File("a.db"));
        Assert.True(exit == 0, error);
        var alerts = output.Split('\n', StringSplitOptions.RemoveEmptyEntries).Select(l => JsonDocument.Parse(l).RootElement).ToList();
        Assert.Equal([22, 28, 30], alerts.Select(a => a.GetProperty("alert_id").GetInt32()).Order());
        Assert.All(alerts, a =>
        {
            Assert.Equal("TLS.ntop", a.GetProperty("proto.ndpi").GetString());
            Assert.Equal(91, a.GetProperty("l7_master_proto").GetInt32());
            Assert.Equal(26, a.GetProperty("l7_proto").GetInt32());
            Assert.Equal("localhost", a.GetProperty("host_name").GetString());
            Assert.Equal((1L << 5) | (1L << 6) | (1L << 9), a.GetProperty("flow_risk_bitmap").GetInt64());
            Assert.Equal(["Known Protocol on Non Standard Port", "Self-signed Certificate", "TLS Expired Certificate"],
                a.GetProperty("flow_risks").EnumerateArray().Select(r => r.GetString()));
        });

        var (_, table, _) = CliRunner.Run("analyze", SharedData.NdpiPcap("selfsigned.pcap"), "--db", dir.File("b.db"));
        Assert.Contains("[TLS.ntop]", table, StringComparison.Ordinal);
        Assert.Contains("localhost", table, StringComparison.Ordinal);
    }

    /// <summary>A pipe can be read once: several workers would split its bytes, so it is read by one.</summary>
    [Fact]
    public async Task A_capture_from_a_pipe_is_read_whole_with_several_workers()
    {
        var fifo = dir.File("capture.fifo");
        using (var mkfifo = System.Diagnostics.Process.Start("mkfifo", fifo))
            mkfifo.WaitForExit();
        var capture = SharedData.NdpiPcap("synscan.pcap");
        var writer = Task.Run(() => File.WriteAllBytes(fifo, File.ReadAllBytes(capture)));
        var piped = CliRunner.Run("analyze", fifo, "-c", ScanConfig(), "-f", "json", "--workers", "2", "--db", dir.File("p.db"), "--no-dpi");
        await writer;
        var file = CliRunner.Run("analyze", capture, "-c", ScanConfig(), "-f", "json", "--workers", "2", "--db", dir.File("f.db"), "--no-dpi");
        Assert.Equal(0, piped.Exit);
        var (a, b) = (JsonDocument.Parse(piped.Out).RootElement, JsonDocument.Parse(file.Out).RootElement);
        Assert.Equal(b.GetProperty("summary").GetProperty("packets").GetInt64(), a.GetProperty("summary").GetProperty("packets").GetInt64());
        Assert.Equal(1, a.GetProperty("summary").GetProperty("workers").GetInt32());
        Assert.Equal(b.GetProperty("alerts").GetRawText(), a.GetProperty("alerts").GetRawText());
    }

    /// <summary>/dev/stdin is a link to the pipe: followed, it is not a regular file, and one worker reads it.</summary>
    [Fact]
    public async Task A_capture_piped_to_dev_stdin_is_read_whole_with_several_workers()
    {
        // The CLI built beside this test assembly (artifacts/bin/<project>/<configuration>/).
        var configuration = Path.GetFileName(Path.GetDirectoryName(typeof(AnalyzeCommandTests).Assembly.Location)!);
        var cli = Path.Combine(SharedData.RepoRoot, "artifacts", "bin", "Tocsin.Cli", configuration, "tocsin.dll");
        var start = new System.Diagnostics.ProcessStartInfo("dotnet")
        {
            RedirectStandardInput = true,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
        };
        foreach (var arg in new[] { cli, "analyze", "/dev/stdin", "-c", ScanConfig(), "-f", "json", "--workers", "2", "--db", dir.File("s.db"), "--no-dpi" })
            start.ArgumentList.Add(arg);
        using var process = System.Diagnostics.Process.Start(start)!;
        var output = process.StandardOutput.ReadToEndAsync();
        var errors = process.StandardError.ReadToEndAsync();
        await process.StandardInput.BaseStream.WriteAsync(await File.ReadAllBytesAsync(SharedData.NdpiPcap("synscan.pcap")));
        process.StandardInput.Close();
        await process.WaitForExitAsync();
        Assert.True(process.ExitCode == 0, await errors);
        var summary = JsonDocument.Parse(await output).RootElement.GetProperty("summary");
        Assert.Equal(1, summary.GetProperty("workers").GetInt32());
        var file = CliRunner.Run("analyze", SharedData.NdpiPcap("synscan.pcap"), "-c", ScanConfig(), "-f", "json", "--db", dir.File("f.db"), "--no-dpi");
        Assert.Equal(JsonDocument.Parse(file.Out).RootElement.GetProperty("summary").GetProperty("packets").GetInt64(),
            summary.GetProperty("packets").GetInt64());
    }

    /// <summary>The ndpi: list files of tocsin.yaml reach nDPI: KakaoTalk's TLS clients match the malicious JA3 list.</summary>
    [Fact]
    public void Ndpi_list_files_from_the_config_reach_detection()
    {
        static List<JsonElement> Malicious(string json) =>
            [.. JsonDocument.Parse(json).RootElement.GetProperty("alerts").EnumerateArray().Where(a => a.GetProperty("alert_id").GetInt32() == 79)];
        var capture = SharedData.NdpiPcap("KakaoTalk_chat.pcap");
        var lists = SharedData.NdpiConfigDir;
        var with = CliRunner.Run("analyze", capture, "-f", "json", "--no-store",
            "-c", Config($"ndpi:\n  malicious_ja3: {lists}/ja3_fingerprints.csv\n"));
        var without = CliRunner.Run("analyze", capture, "-f", "json", "--no-store");
        Assert.Equal(0, with.Exit);
        Assert.Equal(4, Malicious(with.Out).Count);
        Assert.Empty(Malicious(without.Out));
    }

    [Fact]
    public void Workers_do_not_change_the_output()
    {
        string Run(string workers) => CliRunner.Run("analyze", SharedData.NdpiPcap("skype.pcap"), "-f", "json", "--workers", workers,
            "--local-networks", "192.168.0.0/16", "--db", dir.File($"w{workers}.db"), "-c", Config("checks:\n  syn_scan: {enabled: true, threshold: 10}\n  remote_to_remote: {enabled: true}\n")).Out;
        static string AlertsOf(string json) => JsonDocument.Parse(json).RootElement.GetProperty("alerts").GetRawText();
        var one = Run("1");
        Assert.True(JsonDocument.Parse(one).RootElement.GetProperty("alerts").GetArrayLength() > 10);
        var three = Run("3");
        Assert.Equal(AlertsOf(one), AlertsOf(three));
        // The summary says how the flows spread: every worker's share adds up to the total.
        var summary = JsonDocument.Parse(three).RootElement.GetProperty("summary");
        Assert.Equal(3, summary.GetProperty("workers").GetInt32());
        var shares = summary.GetProperty("flows_per_worker").EnumerateArray().Select(e => e.GetInt64()).ToList();
        Assert.Equal(3, shares.Count);
        Assert.Equal(summary.GetProperty("flows").GetInt64(), shares.Sum());
        Assert.Equal(1, CliRunner.Run("analyze", SharedData.NdpiPcap("skype.pcap"), "--workers", "0").Exit);
    }
}
