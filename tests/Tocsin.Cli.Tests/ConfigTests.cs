using Tocsin.Alerts;
using Tocsin.Checks;
using Tocsin.Config;

namespace Tocsin.Cli.Tests;

public class ConfigTests
{
    private static (TocsinConfig Config, CheckCatalog Checks) Parse(string yaml, string file = "/etc/tocsin/tocsin.yaml")
    {
        var checks = CheckCatalog.Discover();
        return (ConfigLoader.Parse(yaml, file, checks), checks);
    }

    private static ConfigException Fails(string yaml) => Assert.Throws<ConfigException>(() => Parse(yaml));

    [Fact]
    public void A_full_file_is_read_and_applied()
    {
        var (config, checks) = Parse("""
            local_networks:
              - 192.168.1.0/24
              - 2001:db8::/32
            store:
              path: alerts/tocsin.db
              max_age: 30d
              max_alerts: 5000
            flows:
              max: 1000
              idle_timeout: 2m
              tcp_close_timeout: 5s
            hosts:
              max: 500
              local_idle_timeout: 10m
              remote_idle_timeout: 90
            decoder:
              decapsulate_teredo: true
            checks:
              syn_scan:
                enabled: true
                threshold: 100
                exclude: [10.0.0.1, 10.1.0.0/16]
                severity: error
              interface_bytes:
                enabled: yes
                min: gt 10M
                day: lt 1G
              tcp_connection_refused:
                enabled: false
                score: 42
            """);
        Assert.Equal(["192.168.1.0/24", "2001:db8::/32"], config.LocalNetworks.Select(n => n.ToString()));
        Assert.Equal("/etc/tocsin/alerts/tocsin.db", config.Store.Path);
        Assert.Equal(TimeSpan.FromDays(30), config.Store.MaxAge);
        Assert.Equal(5000, config.Store.MaxAlertsPerFamily);
        Assert.Equal(1000, config.Traffic.MaxFlows);
        Assert.Equal(TimeSpan.FromMinutes(2), config.Traffic.FlowIdleTimeout);
        Assert.Equal(TimeSpan.FromSeconds(5), config.Traffic.TcpCloseTimeout);
        Assert.Equal(500, config.Traffic.MaxHosts);
        Assert.Equal(TimeSpan.FromMinutes(10), config.Traffic.LocalHostIdleTimeout);
        Assert.Equal(TimeSpan.FromSeconds(90), config.Traffic.RemoteHostIdleTimeout);
        Assert.True(config.DecapsulateTeredo);

        var scan = checks.Find("syn_scan")!;
        Assert.True(scan.Enabled);
        Assert.Equal("100", scan.FindParameter("threshold")!.ValueText);
        Assert.True(scan.Excludes(Decode.IpAddr.Parse("10.1.2.3")));
        Assert.False(scan.Excludes(Decode.IpAddr.Parse("10.2.0.1")));
        Assert.Equal(Severity.Error, scan.Severity);
        var bytes = (ThresholdCheck)checks.Find("interface_bytes")!;
        Assert.Equal(new Threshold(ThresholdOperator.Gt, 10_000_000), bytes.ThresholdFor(Granularity.Minute));
        Assert.Equal(new Threshold(ThresholdOperator.Lt, 1_000_000_000), bytes.ThresholdFor(Granularity.Day));
        Assert.Null(bytes.ThresholdFor(Granularity.Hour));
        var refused = checks.Find("tcp_connection_refused")!;
        Assert.False(refused.Enabled);
        Assert.Equal(42, refused.Score);
    }

    [Fact]
    public void Ndpi_lists_are_found_beside_the_config_file_and_workers_are_read()
    {
        var dir = Testing.SharedData.NdpiConfigDir;
        var (config, _) = Parse("""
            workers: 3
            ndpi:
              enabled: false
              protocols: protos.txt
              categories: categories.txt
              risky_domains: risky_domains.txt
              malicious_ja3: ja3_fingerprints.csv
              malicious_sha1: sha1_fingerprints.csv
            """, Path.Combine(dir, "tocsin.yaml"));
        Assert.Equal(3, config.Workers);
        Assert.False(config.Detection.Enabled);
        Assert.Equal(Path.Combine(dir, "protos.txt"), config.Detection.ProtocolsFile);
        Assert.Equal(Path.Combine(dir, "categories.txt"), config.Detection.CategoriesFile);
        Assert.Equal(Path.Combine(dir, "risky_domains.txt"), config.Detection.RiskyDomainsFile);
        Assert.Equal(Path.Combine(dir, "ja3_fingerprints.csv"), config.Detection.MaliciousJa3File);
        Assert.Equal(Path.Combine(dir, "sha1_fingerprints.csv"), config.Detection.MaliciousSha1File);
    }

    [Fact]
    public void An_empty_file_gives_the_defaults()
    {
        var (config, checks) = Parse("");
        Assert.Empty(config.LocalNetworks);
        Assert.Equal(131072, config.Traffic.MaxFlows);
        Assert.True(config.Detection.Enabled);
        Assert.Null(config.Detection.ProtocolsFile);
        Assert.Null(config.Workers);
        Assert.True(checks.Find("tcp_connection_refused")!.Enabled);
        Assert.False(checks.Find("syn_scan")!.Enabled);
    }

    [Theory]
    [InlineData("locl_networks: []", 1, 1, "locl_networks: unknown key")]
    [InlineData("checks:\n  syn_scann:\n    enabled: true", 2, 3, "checks.syn_scann: unknown check")]
    [InlineData("checks:\n  syn_scan:\n    treshold: 5", 3, 5, "checks.syn_scan.treshold: unknown key")]
    [InlineData("checks:\n  syn_scan:\n    threshold: lots", 3, 16, "checks.syn_scan.threshold: threshold must be an integer, got 'lots'")]
    [InlineData("checks:\n  syn_scan:\n    threshold: 0", 3, 16, "threshold must be at least 1")]
    [InlineData("checks:\n  syn_scan:\n    enabled: maybe", 3, 14, "expected true or false, got 'maybe'")]
    [InlineData("checks:\n  syn_scan:\n    severity: loud", 3, 15, "unknown severity 'loud' (info, notice, warning, error, critical, emergency)")]
    [InlineData("checks:\n  syn_scan:\n    severity: alert", 3, 15,
        "checks.syn_scan.severity: severity 'alert' has no score (a check's alerts would show another severity): give info, notice, warning, error, critical, emergency")]
    [InlineData("checks:\n  syn_scan:\n    severity: debug", 3, 15, "severity 'debug' has no score")]
    [InlineData("checks:\n  syn_scan:\n    severity: none", 3, 15, "severity 'none' has no score")]
    [InlineData("checks:\n  syn_scan:\n    exclude: [10.0.0.0/40]", 3, 14, "exclude: '10.0.0.0/40' has an invalid prefix length")]
    [InlineData("checks:\n  interface_bytes:\n    min: more 5", 3, 10, "min: operator must be gt or lt")]
    [InlineData("local_networks:\n  - 192.168.1.0/24\n  - 300.1.1.1", 3, 5, "'300.1.1.1' is not an IP address")]
    [InlineData("flows:\n  idle_timeout: 0s", 2, 17, "flows.idle_timeout: must be longer than zero")]
    [InlineData("flows:\n  max: -3", 2, 8, "flows.max: must be between 1")]
    [InlineData("store:\n  max_age: soon", 2, 12, "expected a duration")]
    [InlineData("store:\n  max_age: 0", 2, 12, "store.max_age: must be longer than zero")]
    [InlineData("workers: 2\n---\nworkers: 3", 3, 1, "a second YAML document: the config is one document")]
    [InlineData("store: {max_age: 100000000d}", 1, 18, "store.max_age: '100000000d' is longer than the longest duration, 10675199d")]
    [InlineData("flows:\n  idle_timeout: NaN", 2, 17, "flows.idle_timeout: expected a duration such as 30s, 5m, 2h or 365d, got 'NaN'")]
    [InlineData("flows:\n  idle_timeout: NaNs", 2, 17, "flows.idle_timeout: 'NaNs' is not a finite duration")]
    [InlineData("flows:\n  idle_timeout: Infinitym", 2, 17, "flows.idle_timeout: 'Infinitym' is not a finite duration")]
    [InlineData("flows:\n  idle_timeout: -5s", 2, 17, "flows.idle_timeout: must not be negative, got '-5s'")]
    [InlineData("store: [a, b]", 1, 8, "store: expected a mapping of keys, got a list")]
    [InlineData("checks:\n  syn_scan:\n    threshold: [1, 2]", 3, 16, "expected a single value, got a list")]
    [InlineData("workers: 0", 1, 10, "workers: must be between 1 and 256")]
    [InlineData("ndpi:\n  protocols: /nonexistent/protos.txt", 2, 14, "ndpi.protocols: no such file: /nonexistent/protos.txt")]
    [InlineData("ndpi:\n  protocol: protos.txt", 2, 3, "ndpi.protocol: unknown key")]
    public void Errors_name_the_file_line_column_and_key(string yaml, int line, int column, string message)
    {
        var e = Fails(yaml);
        var error = Assert.Single(e.Errors);
        Assert.Equal("/etc/tocsin/tocsin.yaml", error.File);
        Assert.Equal((line, column), (error.Line, error.Column));
        Assert.Contains(message, error.ToString(), StringComparison.Ordinal);
        Assert.StartsWith($"/etc/tocsin/tocsin.yaml:{line}:{column}: ", error.ToString(), StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("info")]
    [InlineData("notice")]
    [InlineData("warning")]
    [InlineData("error")]
    [InlineData("critical")]
    [InlineData("emergency")]
    public void A_check_severity_gives_a_score_that_reads_back_as_that_severity(string name)
    {
        var (_, checks) = Parse($"checks:\n  syn_scan:\n    severity: {name}");
        Assert.Equal(name, Scores.ToSeverity(checks.Find("syn_scan")!.Score).Name());
    }

    [Fact]
    public void Every_error_is_reported_and_nothing_is_applied()
    {
        var checks = CheckCatalog.Discover();
        var e = Assert.Throws<ConfigException>(() => ConfigLoader.Parse("""
            checks:
              syn_scan:
                enabled: true
                threshold: 9
              flow_flood:
                threshold: x
            flows:
              max: y
            """, "t.yaml", checks));
        Assert.Equal(2, e.Errors.Count);
        Assert.False(checks.Find("syn_scan")!.Enabled);
        Assert.Equal("256", checks.Find("syn_scan")!.FindParameter("threshold")!.ValueText);
    }

    [Fact]
    public void Broken_yaml_is_located()
    {
        var e = Fails("checks:\n  syn_scan: {enabled: true\n");
        var error = Assert.Single(e.Errors);
        Assert.Equal(3, error.Line);
        Assert.Contains("invalid YAML", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Duplicate_keys_and_severity_with_score_are_rejected()
    {
        Assert.Contains(Fails("flows:\n  max: 1\n  max: 2").Errors, e => e.Message.Contains("Duplicate key max", StringComparison.Ordinal) && e.Line == 3);
        Assert.Contains(Fails("checks:\n  syn_scan:\n    severity: error\n    score: 12").Errors, e => e.Message.Contains("either severity or score", StringComparison.Ordinal));
    }

    [Fact]
    public void A_missing_file_is_a_config_error()
    {
        var e = Assert.Throws<ConfigException>(() => ConfigLoader.Load("/nonexistent/tocsin.yaml", CheckCatalog.Discover()));
        Assert.Contains("cannot read the file", Assert.Single(e.Errors).Message, StringComparison.Ordinal);
    }
}
