namespace Tocsin.Ndpi.Tests;

/// <summary>What a risk alert's message says of the flow: the details behind that risk, on one bounded line.</summary>
public class EvidenceTests
{
    [Fact]
    public void Each_risk_names_its_own_details()
    {
        var tls = new NdpiApplication
        {
            Tls = new NdpiTls
            {
                VersionName = "TLSv1",
                Ja3Client = "dff8a0aa1c904aaea76c5bf624e88333",
                CipherName = "TLS_RSA_WITH_RC4_128_SHA",
                CipherWeakness = NdpiCipherWeakness.Insecure,
                CertificateSha1 = "AF:CC",
                Issuer = "CN=a",
                Subject = "CN=b",
                ServerNames = "b.example,c.example",
                Alpn = "smtp",
            },
        };
        Assert.Equal("JA3C dff8a0aa1c904aaea76c5bf624e88333", tls.DescribeRisk(28));
        Assert.Equal("cipher TLS_RSA_WITH_RC4_128_SHA (insecure)", tls.DescribeRisk(8));
        Assert.Equal("certificate SHA-1 AF:CC, issuer \"CN=a\", subject \"CN=b\"", tls.DescribeRisk(29));
        Assert.Equal("certificate names \"b.example,c.example\"", tls.DescribeRisk(10));
        Assert.Equal("ALPN smtp", tls.DescribeRisk(31));
        // A risk without details of its own gets the protocol's main one.
        Assert.Equal("TLSv1", tls.DescribeRisk(24));

        var ssh = new NdpiApplication { Ssh = new NdpiSsh { ClientBanner = "SSH-2.0-PuTTY", ServerBanner = "SSH-1.99-Cisco", HasshServer = "ab12" } };
        Assert.Equal("client \"SSH-2.0-PuTTY\"", ssh.DescribeRisk(18));
        Assert.Equal("server \"SSH-1.99-Cisco\", HASSH server ab12", ssh.DescribeRisk(19));

        var dns = new NdpiApplication { Dns = new NdpiDns { QueryType = 16, ReplyCode = 3 } };
        Assert.Equal("query type TXT, reply NXDOMAIN", dns.DescribeRisk(16));
        Assert.Equal("", new NdpiApplication().DescribeRisk(2));
    }

    [Fact]
    public void Values_from_the_wire_stay_on_one_bounded_line()
    {
        var app = new NdpiApplication
        {
            Http = new NdpiHttp
            {
                Method = "GET",
                Url = "example.com/a\r\nX-Injected: 1\u0085" + new string('z', 300),
                UserAgent = "curl\u001b[31m",
                ContentType = "application/x-dosexec",
            },
        };
        var line = app.DescribeRisk(2);
        Assert.StartsWith("GET example.com/a??X-Injected: 1?zzz", line, StringComparison.Ordinal);
        Assert.DoesNotContain(line, char.IsControl);
        // The URL is clipped at 120 characters.
        Assert.Contains(new string('z', 120 - "example.com/a??X-Injected: 1?".Length) + "…, user agent \"curl?[31m\"", line, StringComparison.Ordinal);
        Assert.Equal("GET example.com/a??X-Injected: 1?" + new string('z', 120 - 29) + "…, content type application/x-dosexec", app.DescribeRisk(4));

        // Line separators and bidirectional overrides go too, and a cut never splits a surrogate pair.
        var tricky = new NdpiApplication { Http = new NdpiHttp { Url = "a\u2028b\u202Ec" + new string('x', 114) + "😀tail" } };
        Assert.Equal("a?b?c" + new string('x', 114) + "…", tricky.DescribeRisk(13));
    }
}
