using System.Globalization;
using Tocsin.Traffic;

namespace Tocsin.Ndpi;

/// <summary>
/// The protocol details that explain one nDPI risk, as one readable line for the risk's alert message: the URL of
/// an SQL injection, the certificate dates of an expired one, the banner of an obsolete SSH client. Values come off
/// the wire, so control characters are replaced and long values clipped: a message stays one bounded line.
/// </summary>
internal static class NdpiEvidence
{
    private const int MaxValue = 120;

    [Flags]
    private enum Facet
    {
        None = 0,
        Request = 1,
        UserAgent = 2,
        ContentType = 4,
        TlsVersion = 8,
        Alpn = 16,
        Ja3Client = 32,
        Cipher = 64,
        Certificate = 128,
        Validity = 256,
        Sha1 = 512,
        ServerNames = 1024,
        DnsQuery = 2048,
        SshClient = 4096,
        SshServer = 8192,
    }

    /// <summary>nDPI 4.2 risk id → what backs it (spec/ndpi42_risks.txt); other risks get the protocol's main details.</summary>
    private static Facet ForRisk(int riskId) => riskId switch
    {
        1 or 2 or 3 or 11 or 13 or 14 or 40 => Facet.Request | Facet.UserAgent,
        4 or 25 => Facet.Request | Facet.ContentType,
        6 => Facet.Certificate,
        7 => Facet.TlsVersion,
        8 => Facet.Cipher,
        9 or 32 or 41 => Facet.Validity,
        10 => Facet.ServerNames,
        15 or 31 => Facet.Alpn,
        16 or 23 or 37 or 38 => Facet.DnsQuery,
        18 => Facet.SshClient,
        19 => Facet.SshServer,
        28 => Facet.Ja3Client,
        29 => Facet.Sha1 | Facet.Certificate,
        _ => Facet.None,
    };

    public static string Describe(NdpiApplication app, int riskId)
    {
        var facets = ForRisk(riskId);
        if (facets == Facet.None)
            facets = Facet.Request | Facet.TlsVersion | Facet.DnsQuery | Facet.SshClient | Facet.SshServer;
        var parts = new List<string>(4);
        if (app.Http is { } http)
        {
            if ((facets & Facet.Request) != 0)
            {
                parts.Add(http.Method.Length > 0 ? $"{Clean(http.Method)} {Clean(http.Url)}" : Clean(http.Url));
                if (http.ResponseCode != 0)
                    parts.Add($"response {http.ResponseCode}");
            }
            if ((facets & Facet.ContentType) != 0)
                AddValue(parts, "content type", http.ContentType);
            if ((facets & Facet.UserAgent) != 0)
                AddQuoted(parts, "user agent", http.UserAgent);
        }
        if (app.Tls is { } tls)
        {
            if ((facets & Facet.TlsVersion) != 0 && tls.VersionName.Length > 0)
                parts.Add(Clean(tls.VersionName));
            if ((facets & Facet.Alpn) != 0)
                AddValue(parts, "ALPN", tls.Alpn);
            if ((facets & Facet.Ja3Client) != 0)
                AddValue(parts, "JA3C", tls.Ja3Client);
            if ((facets & Facet.Cipher) != 0 && tls.CipherName.Length > 0)
                parts.Add($"cipher {Clean(tls.CipherName)} ({tls.CipherWeakness.ToString().ToLowerInvariant()})");
            if ((facets & Facet.Sha1) != 0)
                AddValue(parts, "certificate SHA-1", tls.CertificateSha1);
            if ((facets & Facet.Certificate) != 0)
            {
                AddQuoted(parts, "issuer", tls.Issuer);
                AddQuoted(parts, "subject", tls.Subject);
            }
            if ((facets & Facet.Validity) != 0 && tls.NotBefore is { } from && tls.NotAfter is { } to)
                parts.Add($"valid {Day(from)} to {Day(to)}");
            if ((facets & Facet.ServerNames) != 0)
                AddQuoted(parts, "certificate names", tls.ServerNames);
        }
        if (app.Dns is { } dns && (facets & Facet.DnsQuery) != 0)
        {
            parts.Add($"query type {DnsType(dns.QueryType)}");
            parts.Add($"reply {DnsReply(dns.ReplyCode)}");
            AddValue(parts, "answer", dns.Answer);
        }
        if (app.Ssh is { } ssh)
        {
            if ((facets & Facet.SshClient) != 0)
            {
                AddQuoted(parts, "client", ssh.ClientBanner);
                AddValue(parts, "HASSH client", ssh.HasshClient);
            }
            if ((facets & Facet.SshServer) != 0)
            {
                AddQuoted(parts, "server", ssh.ServerBanner);
                AddValue(parts, "HASSH server", ssh.HasshServer);
            }
        }
        return string.Join(", ", parts);
    }

    private static void AddValue(List<string> parts, string label, string value)
    {
        if (value.Length > 0)
            parts.Add($"{label} {Clean(value)}");
    }

    private static void AddQuoted(List<string> parts, string label, string value)
    {
        if (value.Length > 0)
            parts.Add($"{label} \"{Clean(value)}\"");
    }

    private static string Day(DateTimeOffset time) => time.UtcDateTime.ToString("yyyy-MM-dd", CultureInfo.InvariantCulture);

    private static string Clean(string value) => WireText.Clean(value, MaxValue);

    private static string DnsType(int type) => type switch
    {
        1 => "A",
        2 => "NS",
        5 => "CNAME",
        6 => "SOA",
        10 => "NULL",
        12 => "PTR",
        15 => "MX",
        16 => "TXT",
        28 => "AAAA",
        33 => "SRV",
        64 => "SVCB",
        65 => "HTTPS",
        252 => "AXFR",
        255 => "ANY",
        _ => type.ToString(CultureInfo.InvariantCulture),
    };

    private static string DnsReply(int code) => code switch
    {
        0 => "NOERROR",
        1 => "FORMERR",
        2 => "SERVFAIL",
        3 => "NXDOMAIN",
        4 => "NOTIMP",
        5 => "REFUSED",
        _ => code.ToString(CultureInfo.InvariantCulture),
    };
}
