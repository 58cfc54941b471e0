using System.Globalization;
using Tocsin.Alerts;
using Tocsin.Testing;

namespace Tocsin.Checks.Tests;

public class CatalogTests
{
    [Fact]
    public void Discovery_finds_every_check_once()
    {
        var keys = CheckCatalog.Discover().All.Select(c => c.Key).Order(StringComparer.Ordinal).ToArray();
        // One check per nDPI 4.2 risk (ids 1-41), keyed as ntopng's.
        var riskKeys = Csv("flow_alerts.csv").Where(r => int.TryParse(r["ndpi_risk_id"], CultureInfo.InvariantCulture, out var id) && id <= 41)
            .Select(r => r["check_name"]);
        string[] others =
        [
            "blacklisted", "blacklisted_client_contact", "blacklisted_server_contact",
            "flow_flood", "host_bytes", "host_flows", "host_packets",
            "interface_bytes", "interface_flows", "interface_packets",
            "network_bytes", "network_egress_bytes", "network_flows", "network_ingress_bytes", "network_inner_bytes", "network_packets",
            "remote_to_local_insecure_proto", "remote_to_remote", "syn_flood", "syn_scan", "tcp_connection_refused",
            "unexpected_dhcp", "unexpected_dns", "unexpected_ntp", "unexpected_smtp", "web_mining",
        ];
        Assert.Equal(others.Concat(riskKeys).Order(StringComparer.Ordinal), keys);
    }

    /// <summary>Risk alerts take nDPI 4.2's own severity, score and client share, as the issue asks.</summary>
    [Fact]
    public void Risk_checks_score_as_ndpi_4_2_does()
    {
        var table = File.ReadLines(Path.Combine(SharedData.SpecDir, "ndpi42_risks.txt"))
            .Select(l => l.Split('|')).Where(c => c.Length == 6 && int.TryParse(c[0], CultureInfo.InvariantCulture, out var id) && id > 0)
            .ToDictionary(c => int.Parse(c[0], CultureInfo.InvariantCulture), c => (Name: c[1], Score: int.Parse(c[3], CultureInfo.InvariantCulture), Client: int.Parse(c[4], CultureInfo.InvariantCulture)));
        var risks = CheckCatalog.Discover().All.OfType<FlowRiskCheck>().ToList();
        Assert.Equal(41, risks.Count);
        foreach (var check in risks)
        {
            var expected = table[check.RiskId];
            Assert.Equal(expected.Name, check.AlertType.Title);
            Assert.Equal(expected.Score, check.Score);
            Assert.Equal(expected.Client * 100 / expected.Score, check.ClientScorePercent);
            Assert.True(check.EnabledByDefault);
        }
    }

    [Fact]
    public void Each_discovery_gives_fresh_instances_at_their_defaults()
    {
        var first = CheckCatalog.Discover();
        first.Find("syn_scan")!.Enabled = true;
        Assert.Null(first.Find("syn_scan")!.FindParameter("threshold")!.TrySet("5"));
        var second = CheckCatalog.Discover();
        Assert.False(second.Find("syn_scan")!.Enabled);
        Assert.Equal("256", second.Find("syn_scan")!.FindParameter("threshold")!.ValueText);
    }

    /// <summary>Consumers written for ntopng key on alert ids: ours must mean what ntopng's mean.</summary>
    [Fact]
    public void Alert_types_use_ntopngs_ids_names_and_default_scores()
    {
        var rows = Csv("flow_alerts.csv").Select(r => (AlertTypeSpace.Flow, r))
            .Concat(Csv("host_alerts.csv").Select(r => (AlertTypeSpace.Host, r)))
            .Concat(Csv("other_alerts.csv").Select(r => (AlertTypeSpace.Other, r)))
            .ToDictionary(x => (x.Item1, int.Parse(x.r["key_number"], CultureInfo.InvariantCulture)), x => x.r);
        var declared = AlertTypeCatalog.Discover(typeof(Check).Assembly).All;
        Assert.NotEmpty(declared);
        foreach (var type in declared)
        {
            Assert.True(rows.TryGetValue((type.Space, type.Id), out var row), $"{type} has no ntopng counterpart");
            Assert.Equal(row["key_name"], type.FullName);
            var score = row["default_severity_or_score"].Split(' ')[0];
            bool ndpiRisk = row.TryGetValue("ndpi_risk_id", out var risk) && risk.Length > 0;
            if (!ndpiRisk && int.TryParse(score, CultureInfo.InvariantCulture, out var expected))
                Assert.True(expected == type.DefaultScore, $"{type}: ntopng's default score is {expected}, ours {type.DefaultScore}");
        }
    }

    [Fact]
    public void Checks_default_to_ntopngs_enabled_state()
    {
        var flow = Csv("flow_alerts.csv").Concat(Csv("host_alerts.csv"))
            .Where(r => r["check_name"].Length > 0 && r["default_enabled"] is "true" or "false")
            .GroupBy(r => r["check_name"]).ToDictionary(g => g.Key, g => g.First()["default_enabled"] == "true");
        int compared = 0;
        foreach (var check in CheckCatalog.Discover().All)
        {
            if (!flow.TryGetValue(check.Key, out var enabled))
                continue;
            Assert.True(enabled == check.EnabledByDefault, $"{check.Key}: ntopng enables it by default: {enabled}");
            compared++;
        }
        Assert.Equal(54, compared);
    }

    private static List<Dictionary<string, string>> Csv(string name)
    {
        var lines = File.ReadAllLines(Path.Combine(SharedData.SpecDir, name));
        var header = SplitCsv(lines[0]);
        return lines.Skip(1).Where(l => l.Length > 0).Select(l =>
        {
            var cells = SplitCsv(l);
            return header.Select((h, i) => (h, v: i < cells.Count ? cells[i] : "")).ToDictionary(x => x.h, x => x.v);
        }).ToList();
    }

    private static List<string> SplitCsv(string line)
    {
        var cells = new List<string>();
        var cell = new System.Text.StringBuilder();
        bool quoted = false;
        for (int i = 0; i < line.Length; i++)
        {
            char c = line[i];
            if (quoted)
            {
                if (c == '"' && i + 1 < line.Length && line[i + 1] == '"')
                {
                    cell.Append('"');
                    i++;
                }
                else if (c == '"')
                    quoted = false;
                else
                    cell.Append(c);
            }
            else if (c == '"')
                quoted = true;
            else if (c == ',')
            {
                cells.Add(cell.ToString());
                cell.Clear();
            }
            else
                cell.Append(c);
        }
        cells.Add(cell.ToString());
        return cells;
    }
}
