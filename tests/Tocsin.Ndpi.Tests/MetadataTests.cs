using System.Text.Json.Nodes;
using Tocsin.Testing;

namespace Tocsin.Ndpi.Tests;

/// <summary>
/// The metadata of chosen flows, checked against what ndpiReader printed for them (.out) and, where it prints
/// nothing, against tshark's dissection of the same packets (quoted in the comments).
/// </summary>
public class MetadataTests
{
    private static NdpiApplication Flow(string capture, Func<NdpiApplication, bool> which)
    {
        using var inspector = new NdpiInspector(CaptureRun.SharedLists());
        var run = CaptureRun.Run(capture, inspector);
        var matching = run.Flows.Values.Select(f => f.Application).Where(which).ToList();
        Assert.True(matching.Count == 1, $"{matching.Count} flows of {capture} match");
        return matching[0];
    }

    [Fact]
    public void Tls_handshake_and_certificate()
    {
        var app = Flow("selfsigned.pcap", _ => true);
        Assert.Equal("TLS.ntop", app.ProtocolName);
        Assert.Equal((91, 26), (app.MasterProtocol, app.AppProtocol));
        Assert.True(app.IsEncrypted);
        Assert.Equal("DPI", app.ConfidenceName);
        Assert.Equal("Network", app.CategoryName);
        Assert.Equal("localhost", app.HostName);
        Assert.Equal(["Known Protocol on Non Standard Port", "Self-signed Certificate", "TLS Expired Certificate"], app.RiskNames);
        Assert.Equal((1UL << 5) | (1UL << 6) | (1UL << 9), app.RiskBitmap);

        var tls = Assert.IsType<NdpiTls>(app.Tls);
        Assert.Equal(0x0303, tls.Version);
        Assert.Equal("TLSv1.2", tls.VersionName);
        Assert.Equal("h2,http/1.1", tls.Alpn);
        Assert.Equal("2a26b1a62e40d25d4de3babc9d532f30", tls.Ja3Client);
        Assert.Equal("0debd3853f330c574b05e0b6d882dc27", tls.Ja3Server);
        Assert.Equal("C=IT, ST=Some-State, O=ntop.org", tls.Issuer);
        Assert.Equal("C=IT, ST=Some-State, O=ntop.org", tls.Subject);
        // tshark: sha1sum of tls.handshake.certificate; x509af notBefore/notAfter utcTime.
        Assert.Equal("AF:CC:98:49:F2:00:0E:05:21:18:6C:77:5F:2A:CF:10:44:6E:D8:8B", tls.CertificateSha1);
        Assert.Equal(new DateTimeOffset(2015, 10, 10, 15, 55, 47, TimeSpan.Zero), tls.NotBefore);
        Assert.Equal(new DateTimeOffset(2016, 10, 9, 15, 55, 47, TimeSpan.Zero), tls.NotAfter);
        Assert.Equal(0xC030, tls.Cipher);
        Assert.Equal("TLS_ECDHE_RSA_WITH_AES_256_GCM_SHA384", tls.CipherName);
        Assert.Equal(NdpiCipherWeakness.Safe, tls.CipherWeakness);
        Assert.Null(app.Http);
        Assert.Null(app.Dns);
        Assert.Null(app.Ssh);

        var details = new JsonObject();
        app.WriteDetails(details);
        var o = details["proto"]!["tls"]!;
        Assert.Equal(0x0303, (int)o["tls_version"]!);
        Assert.Equal("localhost", (string?)o["client_requested_server_name"]);
        Assert.Equal("h2,http/1.1", (string?)o["client_alpn"]);
        Assert.Equal("C=IT, ST=Some-State, O=ntop.org", (string?)o["issuerDN"]);
        Assert.Equal("C=IT, ST=Some-State, O=ntop.org", (string?)o["subjectDN"]);
        Assert.Equal(1444492547L, (long)o["notBefore"]!);
        Assert.Equal(1476028547L, (long)o["notAfter"]!);
        Assert.Equal("2a26b1a62e40d25d4de3babc9d532f30", (string?)o["ja3.client_hash"]);
        Assert.Equal("0debd3853f330c574b05e0b6d882dc27", (string?)o["ja3.server_hash"]);
        Assert.Equal(0xC030, (int)o["ja3.server_cipher"]!);
        Assert.Equal("safe", (string?)o["ja3.server_unsafe_cipher"]);
        Assert.Equal("AF:CC:98:49:F2:00:0E:05:21:18:6C:77:5F:2A:CF:10:44:6E:D8:8B", (string?)o["sha1_certificate_fingerprint"]);
        Assert.Equal(["tls", "confidence"], details["proto"]!.AsObject().Select(p => p.Key));
    }

    [Fact]
    public void Http_request_and_response()
    {
        var app = Flow("exe_download.pcap", _ => true);
        Assert.Equal("HTTP", app.ProtocolName);
        Assert.Equal("144.91.69.195", app.HostName);
        Assert.Equal(["Binary Application Transfer", "HTTP Numeric IP Address"], app.RiskNames);
        // tshark: http.request.method GET, http.host 144.91.69.195, http.request.uri /solar.php.
        Assert.Equal(new NdpiHttp
        {
            Url = "144.91.69.195/solar.php",
            Method = "GET",
            UserAgent = "pwtyyEKzNtGatwnJjmCcBLbOveCVpc",
            ResponseCode = 200,
            ContentType = "application/octet-stream",
        }, app.Http);
        Assert.False(app.IsEncrypted);

        var details = new JsonObject();
        app.WriteDetails(details);
        Assert.Equal(
            """{"proto":{"http":{"last_method":"GET","last_return_code":200,"last_url":"144.91.69.195/solar.php","last_user_agent":"pwtyyEKzNtGatwnJjmCcBLbOveCVpc","server_name":"144.91.69.195"},"confidence":4}}""",
            details.ToJsonString());
    }

    [Fact]
    public void Dns_query_and_answer()
    {
        // tshark, frames 1-2: query 41-courier.push.apple.com type A (1); response rcode 0, first A 17.57.146.139.
        var app = Flow("dns_ambiguous_names.pcap", a => a.HostName == "41-courier.push.apple.com");
        Assert.Equal("DNS.ApplePush", app.ProtocolName);
        Assert.Equal(new NdpiDns { QueryType = 1, ReplyCode = 0, Answer = "17.57.146.139" }, app.Dns);

        var details = new JsonObject();
        app.WriteDetails(details);
        Assert.Equal(
            """{"proto":{"dns":{"last_query":"41-courier.push.apple.com","last_query_type":1,"last_return_code":0,"last_answer":"17.57.146.139"},"confidence":4}}""",
            details.ToJsonString());
    }

    [Theory]
    // tshark, frame 2: query type A (1), response rcode 3 (NXDOMAIN), no answer.
    [InlineData("dns_long_domainname.pcap", "gmr02c.16.0.fhkfhsdkfhsk.tunnel.example.com", "DNS.Google", 1)]
    // tshark, frames 11-12: *.teams.microsoft.com type A, rcode 3; nDPI stores '*' as '_' in the host name.
    [InlineData("dns_ambiguous_names.pcap", "_.teams.microsoft.com", "DNS.Teams", 1)]
    public void Dns_reply_code_of_a_failed_query(string capture, string query, string protocol, int queryType)
    {
        var app = Flow(capture, a => a.HostName == query);
        Assert.Equal(protocol, app.ProtocolName);
        Assert.Equal(new NdpiDns { QueryType = queryType, ReplyCode = 3, Answer = "" }, app.Dns);
    }

    [Fact]
    public void Flows_without_details_write_only_the_confidence()
    {
        var app = Flow("NTPv4.pcap", _ => true);
        Assert.Equal("NTP", app.ProtocolName);
        Assert.Null(app.Http ?? (object?)app.Tls ?? (object?)app.Ssh ?? app.Dns);
        var details = new JsonObject { ["other"] = 1 };
        app.WriteDetails(details);
        // Only nDPI's confidence (4: by inspection), as ntopng's proto.confidence.
        Assert.Equal("""{"other":1,"proto":{"confidence":4}}""", details.ToJsonString());
    }
}
