using Tocsin.Alerts;
using Tocsin.Analysis;
using Tocsin.Capture;
using Tocsin.Checks;
using Tocsin.Decode;
using Tocsin.Testing;

namespace Tocsin.Ndpi.Tests;

/// <summary>
/// The flow alerts real captures raise through the whole pipeline with nDPI: the risk checks and the checks that
/// need the application protocol, with ntopng's alert ids.
/// </summary>
public class RiskAlertTests
{
    private sealed class Sink : IAlertSink
    {
        public List<Alert> Alerts { get; } = [];

        public void Publish(Alert alert)
        {
            lock (Alerts)
                Alerts.Add(alert);
        }
    }

    private static List<Alert> Analyse(string capture, Action<CheckCatalog>? configure = null, int workers = 1, params string[] localNetworks)
    {
        var catalog = CheckCatalog.Discover();
        configure?.Invoke(catalog);
        var sink = new Sink();
        var inspectors = new List<NdpiInspector>();
        var analyzer = new Analyzer(new AnalysisOptions { LocalNetworks = [.. localNetworks.Select(IpNetwork.Parse)], Workers = workers },
            catalog.All, new AlertEngine([sink]), () =>
            {
                var inspector = new NdpiInspector(CaptureRun.SharedLists());
                lock (inspectors)
                    inspectors.Add(inspector);
                return inspector;
            });
        analyzer.Run(() => CaptureFile.Open(SharedData.NdpiPcap(capture)));
        analyzer.Close();
        foreach (var inspector in inspectors)
            inspector.Dispose();
        return sink.Alerts;
    }

    private static string Ends(Alert a) => $"{a.Flow!.CliIp}:{a.Flow.CliPort}>{a.Flow.SrvIp}:{a.Flow.SrvPort}";

    [Fact]
    public void A_self_signed_expired_certificate_on_a_non_standard_port()
    {
        var alerts = Analyse("selfsigned.pcap");
        Assert.Equal([22, 28, 30], alerts.Select(a => a.Type.Id).Order());
        Assert.All(alerts, a =>
        {
            Assert.Equal("127.0.0.1:51607>127.0.0.1:3001", Ends(a));
            Assert.Equal("TLS.ntop", a.Flow!.L7Name);
            Assert.Equal("localhost", a.Flow.HostName);
            Assert.Equal((1UL << 5) | (1UL << 6) | (1UL << 9), a.Flow.RiskBitmap);
        });
        var selfSigned = alerts.Single(a => a.Type.Name == "tls_certificate_selfsigned");
        Assert.Equal(100, selfSigned.Score);
        Assert.Contains("\"tls\"", selfSigned.Params.ToJsonString(), StringComparison.Ordinal);
        Assert.Equal("localhost", (string)selfSigned.Params["proto"]!["tls"]!["client_requested_server_name"]!);
        // nDPI's confidence: 4, found by deep packet inspection.
        Assert.Equal(4, (int)selfSigned.Params["proto"]!["confidence"]!);
        // Each message names what explains its own risk; the flow info is the TLS server name.
        Assert.Equal("Self-signed Certificate (TLS.ntop, localhost): issuer \"C=IT, ST=Some-State, O=ntop.org\", subject \"C=IT, ST=Some-State, O=ntop.org\"",
            selfSigned.Message);
        Assert.Equal("TLS Expired Certificate (TLS.ntop, localhost): valid 2015-10-10 to 2016-10-09",
            alerts.Single(a => a.Type.Id == 22).Message);
        Assert.Equal("Known Protocol on Non Standard Port (TLS.ntop, localhost): TLSv1.2", alerts.Single(a => a.Type.Id == 30).Message);
        Assert.All(alerts, a => Assert.Equal("localhost", a.Flow!.Info));
    }

    [Fact]
    public void Dga_domains_in_dns()
    {
        var alerts = Analyse("bad-dns-traffic.pcap");
        Assert.Equal(3, alerts.Count);
        Assert.All(alerts, a =>
        {
            Assert.Equal(47, a.Type.Id);
            Assert.Equal("192.168.43.91", a.Flow!.CliIp);
            Assert.Equal("4.2.2.4", a.Flow.SrvIp);
            Assert.Equal(53, a.Flow.SrvPort);
            Assert.EndsWith(".skullseclabs.org", a.Flow.HostName, StringComparison.Ordinal);
            Assert.Equal(100, a.Score);
        });
        Assert.Equal([35966, 46961, 56354], alerts.Select(a => a.Flow!.CliPort).Order());
    }

    [Fact]
    public void A_dns_tunnel()
    {
        var alert = Assert.Single(Analyse("dns-tunnel-iodine.pcap"));
        Assert.Equal(53, alert.Type.Id);
        Assert.Equal("10.0.2.30:44639>10.0.2.20:53", Ends(alert));
        Assert.Equal("vaaaakardli.pirate.sea", alert.Flow!.HostName);
        Assert.Equal("vaaaakardli.pirate.sea", alert.Flow.Info);
        Assert.Equal("Suspicious DNS Traffic (DNS, vaaaakardli.pirate.sea): query type NULL, reply NOERROR", alert.Message);
    }

    [Fact]
    public void Obsolete_tls_versions()
    {
        var alerts = Analyse("tls_cipher_lens.pcap");
        Assert.Equal(5, alerts.Count(a => a.Type.Id == 24));
        Assert.All(alerts, a => Assert.Equal("173.194.35.191", a.Flow!.SrvIp));
        Assert.Equal([51587, 51588, 51589, 51590, 51591], alerts.Where(a => a.Type.Id == 24).Select(a => a.Flow!.CliPort).Order());
        Assert.All(alerts.Where(a => a.Type.Id == 24), a => Assert.EndsWith("): TLSv1", a.Message, StringComparison.Ordinal));
    }

    [Fact]
    public void Web_attacks_without_pcre_show_numeric_hosts_and_suspicious_agents()
    {
        var alerts = Analyse("WebattackRCE.pcap");
        var counts = alerts.GroupBy(a => a.Type.Name).ToDictionary(g => g.Key, g => g.Count());
        Assert.Equal(797, counts["known_proto_on_non_std_port"]);
        Assert.Equal(777, counts["ndpi_numeric_ip_host"]);
        Assert.Equal(62, counts["ndpi_http_suspicious_user_agent"]);
        // 22 as ndpiReader, plus 2 where only the missing PCRE check would have found "RCE Injection" first.
        Assert.Equal(24, counts["ndpi_http_suspicious_url"]);
        Assert.False(counts.ContainsKey("ndpi_url_possible_rce_injection"));
        // The messages show the request that raised them, and the flow info is its URL.
        var shadow = alerts.Single(a => a.Type.Name == "ndpi_http_suspicious_url" && a.Flow!.Info.EndsWith("/etc/shadow", StringComparison.Ordinal)
            && a.Message.Contains("Nikto", StringComparison.Ordinal));
        Assert.Equal("HTTP Suspicious URL (HTTP, 127.0.0.1): GET 127.0.0.1/../../../../../../../../../../../../etc/shadow, user agent "
            + "\"Mozilla/5.00 (Nikto/2.1.6) (Evasions:None) (Test:dishwasher)\"", shadow.Message);
        Assert.Contains(alerts, a => a.Type.Name == "ndpi_http_suspicious_user_agent"
            && a.Message == "HTTP Suspicious User-Agent (HTTP, 127.0.0.1): GET 127.0.0.1/, user agent \"() { :; }; echo 93e4r0-CVE-2014-6271: true;echo;echo;\"");
    }

    [Fact]
    public void Mining_traffic_raises_web_mining_and_its_risks()
    {
        var alerts = Analyse("zcash.pcap");
        // The 19-minute conversation pauses longer than the 60 s idle timeout, so it makes several flows (ndpiReader,
        // reading a file, never expires one); each is detected again and raises the same three alerts, and each
        // resumed flow is still oriented from the client's dynamic port to the server's.
        var byType = alerts.GroupBy(a => a.Type.Id).ToDictionary(g => g.Key, g => g.Count());
        Assert.Equal([27, 30, 52], byType.Keys.Order());
        Assert.Single(byType.Values.Distinct());
        Assert.All(alerts, a => Assert.Equal("192.168.2.92:55190>178.32.196.217:9050", Ends(a)));
        Assert.All(alerts, a => Assert.Equal("Mining", a.Flow!.L7Name));
    }

    [Fact]
    public void A_remote_client_on_an_unsafe_protocol_to_a_local_server()
    {
        var alerts = Analyse("ftp_failed.pcap", localNetworks: "2a00:800::/32");
        var alert = Assert.Single(alerts, a => a.Type.Id == 38);
        Assert.Equal("2a00:d40:1:3:192:12:193:11", alert.Flow!.CliIp);
        Assert.Equal(21, alert.Flow.SrvPort);
        Assert.Equal(3, (int)alert.Params["ndpi_breed"]!);
        Assert.True(alert.Flow.IsCliAttacker);
        // The other way round (the client is local) it is not raised.
        Assert.DoesNotContain(Analyse("ftp_failed.pcap", localNetworks: "2a00:d40::/32"), a => a.Type.Id == 38);
    }

    [Fact]
    public void Unexpected_dns_uses_the_detected_protocol()
    {
        var alerts = Analyse("bad-dns-traffic.pcap", c =>
        {
            c.Find("unexpected_dns")!.Enabled = true;
            Assert.Null(c.Find("unexpected_dns")!.FindParameter("allowed_servers")!.TrySet("8.8.8.8"));
        });
        var unexpected = alerts.Where(a => a.Type.Id == 33).ToList();
        Assert.Equal(3, unexpected.Count);
        Assert.All(unexpected, a => Assert.Equal("4.2.2.4", (string)a.Params["server_ip"]!));
    }

    /// <summary>
    /// 1kxun.pcap's DHCP: 192.168.119.1 offers to the broadcast address and answers 192.168.5.16, while clients
    /// broadcast their discovers from 0.0.0.0 and from their own addresses to 255.255.255.255:67.
    /// </summary>
    [Fact]
    public void Unexpected_dhcp_flags_the_host_sending_from_port_67_and_never_the_broadcast_address()
    {
        List<Alert> Unexpected(string allowed) => [.. Analyse("1kxun.pcap", c =>
        {
            c.Find("unexpected_dhcp")!.Enabled = true;
            Assert.Null(c.Find("unexpected_dhcp")!.FindParameter("allowed_servers")!.TrySet(allowed));
        }).Where(a => a.Type.Id == 32)];

        var alerts = Unexpected("192.168.2.1");
        Assert.Equal(["192.168.119.1:67>255.255.255.255:68", "192.168.5.16:68>192.168.119.1:67"], alerts.Select(Ends).Order(StringComparer.Ordinal));
        Assert.All(alerts, a => Assert.Equal("192.168.119.1", (string)a.Params["server_ip"]!));
        Assert.Empty(Unexpected("192.168.119.1"));
    }

    [Fact]
    public void Risk_checks_can_be_turned_off()
    {
        var alerts = Analyse("selfsigned.pcap", c => c.Find("tls_certificate_selfsigned")!.Enabled = false);
        Assert.Equal([22, 30], alerts.Select(a => a.Type.Id).Order());
    }

    [Theory]
    [InlineData("WebattackRCE.pcap")]
    [InlineData("skype.pcap")]
    [InlineData("waze.pcap")]
    // nDPI remembers hosts across flows here (TINC's and STUN's caches): workers must take flows by host pair.
    [InlineData("tinc.pcap")]
    [InlineData("whatsapp_login_call.pcap")]
    public void Two_workers_raise_the_same_alerts_as_one(string capture)
    {
        static IEnumerable<string> Keys(List<Alert> alerts) =>
            alerts.Select(a => $"{a.Type.Id} {a.EntityValue} {(a.Flow is null ? "" : Ends(a))} {a.Tstamp} {a.Score} {a.Message}").Order(StringComparer.Ordinal);
        var one = Analyse(capture, workers: 1);
        Assert.NotEmpty(one);
        Assert.Equal(Keys(one), Keys(Analyse(capture, workers: 2)));
    }
}
