using Tocsin.Alerts;
using Tocsin.Decode;
using Tocsin.Testing;
using static Tocsin.Decode.PacketBuilder;

namespace Tocsin.Checks.Tests;

/// <summary>Checks that need application detection, fed by a labelling inspector (the nDPI one has its own tests).</summary>
public class ApplicationCheckTests
{
    private static readonly IpAddr Client = IpAddr.Parse("192.168.1.10");
    private static readonly IpAddr Resolver = IpAddr.Parse("192.168.1.1");
    private static readonly IpAddr Google = IpAddr.Parse("8.8.8.8");

    private static readonly TestApplication Dns = new(0, NdpiProtocols.Dns, "DNS");

    private static Scenario With(Dictionary<ushort, TestApplication> labels, params ushort[] late) =>
        new() { Inspector = new LabellingInspector(labels, late) };

    [Fact]
    public void Unexpected_dns_flags_servers_off_the_allowed_list_only()
    {
        var s = With(new() { [53] = Dns }).Enable("unexpected_dns", ("allowed_servers", "192.168.1.0/30"))
            .At(0, Udp(Client, 40000, Resolver, 53))
            .At(1, Udp(Client, 40001, Google, 53))
            .At(2, Udp(Client, 40002, Google, 443))
            .Run();
        var alert = Assert.Single(s.Events);
        Assert.Equal(33, alert.Type.Id);
        Assert.Equal("8.8.8.8", (string)alert.Params["server_ip"]!);
        Assert.True(alert.Flow!.IsCliAttacker);
        Assert.Equal("DNS", alert.Flow.L7Name);
        Assert.Equal(100, alert.Score);
        Assert.Equal("DNS", (string)alert.Params["proto"]!["test"]!);
    }

    [Fact]
    public void With_no_allowed_list_every_server_is_unexpected()
    {
        var s = With(new() { [53] = Dns }).Enable("unexpected_dns")
            .At(0, Udp(Client, 40000, Resolver, 53))
            .At(1, Udp(Client, 40001, Google, 53))
            .Run();
        Assert.Equal(2, s.Of("unexpected_dns_server").Count);
    }

    [Fact]
    public void Unexpected_smtp_covers_smtps_and_ntp_and_dhcp_their_protocols()
    {
        var s = With(new()
            {
                [25] = new(0, NdpiProtocols.Smtp, "SMTP"),
                [465] = new(0, NdpiProtocols.Smtps, "SMTPS"),
                [123] = new(0, NdpiProtocols.Ntp, "NTP"),
                [67] = new(0, NdpiProtocols.Dhcp, "DHCP"),
            })
            .Enable("unexpected_smtp", ("allowed_servers", "192.168.1.25"))
            .Enable("unexpected_ntp", ("allowed_servers", "192.168.1.1"))
            .Enable("unexpected_dhcp", ("allowed_servers", "192.168.1.1"))
            .At(0, Tcp(Client, 40000, IpAddr.Parse("192.168.1.25"), 25, TcpFlags.Syn))
            .At(1, Tcp(Client, 40001, IpAddr.Parse("203.0.113.9"), 465, TcpFlags.Syn))
            .At(2, Udp(Client, 123, Resolver, 123))
            .At(3, Udp(Client, 123, IpAddr.Parse("203.0.113.10"), 123))
            // A rogue DHCP server offers first, to the broadcast address.
            .At(4, Udp(IpAddr.Parse("192.168.1.66"), 67, IpAddr.Parse("255.255.255.255"), 68))
            .Run();
        Assert.Equal("203.0.113.9", (string)Assert.Single(s.Of("unexpected_smtp_server")).Params["server_ip"]!);
        Assert.Equal("203.0.113.10", (string)Assert.Single(s.Of("unexpected_ntp_server")).Params["server_ip"]!);
        Assert.Equal("192.168.1.66", (string)Assert.Single(s.Of("unexpected_dhcp_server")).Params["server_ip"]!);
    }

    [Fact]
    public void The_server_is_the_end_on_the_port_that_can_send()
    {
        var s = With(new() { [123] = new(0, NdpiProtocols.Ntp, "NTP"), [53] = Dns })
            .Enable("unexpected_ntp").Enable("unexpected_dns")
            // An NTP server in broadcast mode sends from 123 to a multicast group on 123 too.
            .At(0, Udp(IpAddr.Parse("192.168.1.5"), 123, IpAddr.Parse("224.0.1.1"), 123))
            .At(1, Udp(Client, 40000, IpAddr.Parse("255.255.255.255"), 53))
            .At(2, Udp(IpAddr.Parse("::"), 40001, IpAddr.Parse("ff02::fb"), 53))
            .Run();
        Assert.Equal("192.168.1.5", (string)Assert.Single(s.Of("unexpected_ntp_server")).Params["server_ip"]!);
        Assert.Empty(s.Of("unexpected_dns_server"));
    }

    [Fact]
    public void Web_mining_fires_on_the_mining_category()
    {
        var s = With(new()
            {
                [3333] = new(0, 42, "Mining", NdpiProtocols.MiningCategory, "Mining"),
                [443] = new(91, 126, "TLS.Google", 5, "Web"),
            }).Enable("web_mining")
            .At(0, Tcp(Client, 40000, Google, 3333, TcpFlags.Syn))
            .At(1, Tcp(Client, 40001, Google, 443, TcpFlags.Syn))
            .Run();
        var alert = Assert.Single(s.Events);
        Assert.Equal(27, alert.Type.Id);
        Assert.Equal(3333, alert.Flow!.SrvPort);
    }

    [Fact]
    public void Risk_checks_raise_one_alert_per_risk_with_ndpis_scores()
    {
        const ulong selfSigned = 1UL << 6, notHttps = 1UL << 15;
        var s = With(new() { [8443] = new(91, 91, "TLS", 5, "Web", "shop.example", selfSigned | notHttps) });
        foreach (var check in s.Catalog.All.OfType<FlowRiskCheck>())
            check.Enabled = check.EnabledByDefault;
        s.At(0, Tcp(Client, 40000, Google, 8443, TcpFlags.Syn)).Run();
        Assert.Equal([28, 46], s.Events.Select(e => e.Type.Id).Order());
        var cert = s.Of("tls_certificate_selfsigned").Single();
        Assert.Equal(100, cert.Score);
        Assert.Equal(6, (int)cert.Params["risk_id"]!);
        Assert.Equal("Self-signed Certificate (TLS, shop.example)", cert.Message);
        Assert.Equal(110, s.Events.Max(e => e.Flow!.FlowScore));
    }

    [Fact]
    public void A_risk_check_can_be_disabled_or_exclude_hosts()
    {
        const ulong selfSigned = 1UL << 6;
        var labels = new Dictionary<ushort, TestApplication> { [8443] = new(91, 91, "TLS", RiskBitmap: selfSigned) };
        var disabled = With(labels);
        disabled.Catalog.Find("tls_certificate_selfsigned")!.Enabled = false;
        Assert.Empty(disabled.At(0, Tcp(Client, 40000, Google, 8443, TcpFlags.Syn)).Run().Events);
        var excluded = With(labels).Enable("tls_certificate_selfsigned", ("exclude", "8.8.0.0/16"));
        Assert.Empty(excluded.At(0, Tcp(Client, 40000, Google, 8443, TcpFlags.Syn)).Run().Events);
    }

    [Fact]
    public void A_risk_message_names_the_host_and_the_evidence_on_one_line()
    {
        // The host name (an SNI here) comes off the wire: an escape sequence and a line break must not reach logs.
        var labels = new Dictionary<ushort, TestApplication>
        {
            [8443] = new(91, 91, "TLS", HostName: "shop\u001b[2J\nexample", RiskBitmap: 1UL << 6) { Evidence = "issuer \"CN=shop\"" },
        };
        var alert = Assert.Single(With(labels).Enable("tls_certificate_selfsigned").At(0, Tcp(Client, 40000, Google, 8443, TcpFlags.Syn)).Run().Events);
        Assert.Equal("Self-signed Certificate (TLS, shop?[2J?example): issuer \"CN=shop\"", alert.Message);
    }

    /// <summary>A flow whose detection never completes is still checked, with what detection concluded at its end.</summary>
    [Fact]
    public void Flows_ending_before_detection_completes_are_still_checked()
    {
        var s = With(new() { [53] = Dns }, late: 53).Enable("unexpected_dns")
            .At(0, Udp(Client, 40000, Google, 53))
            .At(200, Udp(Client, 1, Resolver, 1))
            .Run();
        var alert = Assert.Single(s.Of("unexpected_dns_server"));
        Assert.Equal(Scenario.Seconds(60), alert.TstampEnd);   // when the idle flow ended
    }

    [Fact]
    public void Blacklists_match_clients_servers_and_domains_from_list_files()
    {
        using var dir = new TempDirectory();
        var list = dir.File("bad.txt");
        File.WriteAllText(list, "# known bad\n203.0.113.66\n198.51.100.0/24   # a whole network\nevil.example\n");
        var labels = new Dictionary<ushort, TestApplication>
        {
            [443] = new(91, 91, "TLS", HostName: "cdn.evil.example"),
            [80] = new(7, 7, "HTTP", HostName: "good.example"),
        };
        var s = With(labels).Enable("blacklisted", ("lists", list)).Enable("blacklisted_client_contact", ("lists", list))
            .Enable("blacklisted_server_contact", ("lists", list))
            .At(0, Tcp(Client, 40000, Google, 443, TcpFlags.Syn))                           // domain
            .At(1, Tcp(IpAddr.Parse("203.0.113.66"), 40001, Client, 22, TcpFlags.Syn))      // client
            .At(2, Tcp(Client, 40002, IpAddr.Parse("198.51.100.7"), 80, TcpFlags.Syn))      // server, in a CIDR
            .At(3, Tcp(Client, 40003, Google, 80, TcpFlags.Syn))                            // nothing
            .Run();
        Assert.Equal("evil.example", (string)Assert.Single(s.Of("blacklisted")).Params["blacklisted_domain"]!);
        var client = Assert.Single(s.Of("blacklisted_client_contact"));
        Assert.Equal("203.0.113.66", client.Flow!.CliIp);
        Assert.True(client.Flow.IsCliAttacker);
        Assert.Equal("198.51.100.7", Assert.Single(s.Of("blacklisted_server_contact")).Flow!.SrvIp);
        Assert.Equal(3, s.Events.Count);
    }

    /// <summary>As ntopng: a contact alert needs a local host on one end and the blacklisted host remote on the other.</summary>
    [Fact]
    public void Blacklisted_contacts_are_between_a_remote_blacklisted_host_and_a_local_one()
    {
        using var dir = new TempDirectory();
        var list = dir.File("bad.txt");
        File.WriteAllText(list, "203.0.113.66\n198.51.100.7\n192.168.1.99\n");
        var s = With([]).Local("192.168.0.0/16").Enable("blacklisted_client_contact", ("lists", list))
            .Enable("blacklisted_server_contact", ("lists", list))
            .At(0, Tcp(IpAddr.Parse("203.0.113.66"), 40001, Client, 22, TcpFlags.Syn))              // remote bad -> local: client contact
            .At(1, Tcp(Client, 40002, IpAddr.Parse("198.51.100.7"), 80, TcpFlags.Syn))              // local -> remote bad: server contact
            .At(2, Tcp(IpAddr.Parse("192.168.1.99"), 40003, Google, 443, TcpFlags.Syn))             // local bad -> remote: neither
            .At(3, Tcp(IpAddr.Parse("203.0.113.66"), 40004, IpAddr.Parse("198.51.100.7"), 80, TcpFlags.Syn)) // remote -> remote: neither
            .Run();
        Assert.Equal("203.0.113.66>192.168.1.10", Assert.Single(s.Of("blacklisted_client_contact")) is { Flow: { } f } ? $"{f.CliIp}>{f.SrvIp}" : "");
        Assert.Equal("192.168.1.10>198.51.100.7", Assert.Single(s.Of("blacklisted_server_contact")) is { Flow: { } g } ? $"{g.CliIp}>{g.SrvIp}" : "");
    }

    [Fact]
    public void A_bad_list_line_is_reported_with_its_file_and_line()
    {
        using var dir = new TempDirectory();
        var list = dir.File("bad.txt");
        File.WriteAllText(list, "203.0.113.66\n\nnot a domain!\n");
        var error = CheckCatalog.Discover().Find("blacklisted")!.FindParameter("lists")!.Validate([list]);
        Assert.Equal($"lists: {list}:3: 'not a domain!' is not an IP address, CIDR block or domain name", error);
        Assert.Contains("cannot read list file", CheckCatalog.Discover().Find("blacklisted")!.FindParameter("lists")!.Validate([dir.File("missing.txt")]), StringComparison.Ordinal);
    }
}
