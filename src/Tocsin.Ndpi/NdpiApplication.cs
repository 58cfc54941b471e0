using System.Text;
using System.Text.Json.Nodes;
using Tocsin.Traffic;

namespace Tocsin.Ndpi;

/// <summary>What nDPI found in an HTTP request and its response.</summary>
public sealed record NdpiHttp
{
    /// <summary>Host and path as nDPI stores it, e.g. "example.com/index.html?q=1".</summary>
    public string Url { get; init; } = "";

    /// <summary>"GET", "POST"...; empty when nDPI did not recognise the method.</summary>
    public string Method { get; init; } = "";

    public string UserAgent { get; init; } = "";

    /// <summary>Status code of the response; 0 when no response was seen.</summary>
    public int ResponseCode { get; init; }

    /// <summary>Content-Type of the response.</summary>
    public string ContentType { get; init; } = "";
}

/// <summary>nDPI's judgement of the server's cipher suite (ndpi_cipher_weakness).</summary>
public enum NdpiCipherWeakness
{
    Safe = 0,
    Weak = 1,
    Insecure = 2,
}

/// <summary>What nDPI found in a TLS, DTLS or QUIC handshake.</summary>
public sealed record NdpiTls
{
    /// <summary>Negotiated version number, e.g. 0x0303 for TLS 1.2; 0 when unknown.</summary>
    public int Version { get; init; }

    /// <summary>nDPI's name of the version, e.g. "TLSv1.2".</summary>
    public string VersionName { get; init; } = "";

    public string Ja3Client { get; init; } = "";
    public string Ja3Server { get; init; } = "";

    /// <summary>ALPN values the client offered, as nDPI joins them ("h2,http/1.1").</summary>
    public string Alpn { get; init; } = "";

    /// <summary>The client's supported_versions extension, as nDPI prints it.</summary>
    public string SupportedVersions { get; init; } = "";

    public string Issuer { get; init; } = "";
    public string Subject { get; init; } = "";

    /// <summary>The certificate's subject alternative names, comma separated.</summary>
    public string ServerNames { get; init; } = "";

    /// <summary>Certificate SHA-1 as ndpiReader prints it ("4E:2A:..."); empty when no certificate was seen.</summary>
    public string CertificateSha1 { get; init; } = "";

    public DateTimeOffset? NotBefore { get; init; }
    public DateTimeOffset? NotAfter { get; init; }

    /// <summary>Cipher suite the server chose (0 when unknown) and its name.</summary>
    public int Cipher { get; init; }

    public string CipherName { get; init; } = "";
    public NdpiCipherWeakness CipherWeakness { get; init; }

    /// <summary>The user agent some QUIC clients send in their transport parameters.</summary>
    public string UserAgent { get; init; } = "";
}

/// <summary>What nDPI found in an SSH key exchange.</summary>
public sealed record NdpiSsh
{
    public string ClientBanner { get; init; } = "";
    public string ServerBanner { get; init; } = "";
    public string HasshClient { get; init; } = "";
    public string HasshServer { get; init; } = "";
}

/// <summary>What nDPI found in a DNS (or LLMNR) exchange; the query name is the flow's host name.</summary>
public sealed record NdpiDns
{
    /// <summary>Type of the query (1 A, 28 AAAA, 16 TXT...).</summary>
    public int QueryType { get; init; }

    /// <summary>Reply code of the response (0 NOERROR, 3 NXDOMAIN...).</summary>
    public int ReplyCode { get; init; }

    /// <summary>The first A or AAAA address of the response; empty when there is none.</summary>
    public string Answer { get; init; } = "";
}

/// <summary>
/// What nDPI concluded for a flow, copied out of the native flow (which is freed right after): protocols,
/// category, confidence, host name, risks, and the HTTP, TLS, SSH and DNS details that apply.
/// </summary>
public sealed class NdpiApplication : IFlowApplication
{
    private const int HttpProtocol = 7;
    private const int SshProtocol = 92;

    public int MasterProtocol { get; init; }
    public int AppProtocol { get; init; }
    public string ProtocolName { get; init; } = "Unknown";
    public int Category { get; init; }
    public string CategoryName { get; init; } = "";

    /// <summary>How the protocol was found (ndpi_confidence_t: 0 unknown, 1 by port, 2 by IP, 3 DPI cache, 4 DPI).</summary>
    public int Confidence { get; init; }

    public string ConfidenceName { get; init; } = "";

    /// <summary>The protocol is nDPI's guess when giving up (by port or address), not a match.</summary>
    public bool Guessed { get; init; }

    public bool IsEncrypted { get; init; }

    public int Breed { get; init; }

    public string BreedName { get; init; } = "";

    /// <summary>SNI, HTTP Host, DNS query; for SSH the client banner (as ndpiReader shows it).</summary>
    public string HostName { get; init; } = "";

    public ulong RiskBitmap { get; init; }
    public IReadOnlyList<string> RiskNames { get; init; } = [];

    public string Info => Http is { } http ? http.Url : HostName;

    public string DescribeRisk(int riskId) => NdpiEvidence.Describe(this, riskId);

    public NdpiHttp? Http { get; init; }
    public NdpiTls? Tls { get; init; }
    public NdpiSsh? Ssh { get; init; }
    public NdpiDns? Dns { get; init; }

    public override string ToString() =>
        HostName.Length > 0 ? $"{ProtocolName} ({HostName})" : ProtocolName;

    /// <summary>
    /// Adds <c>proto</c> to an alert's JSON as ntopng's FlowAlert does: an object holding one of <c>http</c>,
    /// <c>tls</c>, <c>ssh</c> or <c>dns</c> with ntopng's key names (empty when none applies). Beyond ntopng 5.2:
    /// <c>tls.sha1_certificate_fingerprint</c>, <c>tls.user_agent</c> (QUIC) and <c>dns.last_answer</c>.
    /// </summary>
    public void WriteDetails(JsonObject parameters)
    {
        var proto = new JsonObject();
        if (Dns is { } dns)
        {
            var o = new JsonObject();
            Add(o, "last_query", HostName);
            o["last_query_type"] = dns.QueryType;
            o["last_return_code"] = dns.ReplyCode;
            Add(o, "last_answer", dns.Answer);
            proto["dns"] = o;
        }
        else if (Http is { } http)
        {
            var o = new JsonObject
            {
                ["last_method"] = http.Method,
                ["last_return_code"] = http.ResponseCode,
                ["last_url"] = http.Url,
            };
            Add(o, "last_user_agent", http.UserAgent);
            Add(o, "server_name", HostName);
            proto["http"] = o;
        }
        else if (Tls is { } tls)
        {
            var o = new JsonObject { ["tls_version"] = tls.Version };
            Add(o, "client_requested_server_name", HostName);
            Add(o, "server_names", tls.ServerNames);
            Add(o, "client_alpn", tls.Alpn);
            Add(o, "client_tls_supported_versions", tls.SupportedVersions);
            Add(o, "issuerDN", tls.Issuer);
            Add(o, "subjectDN", tls.Subject);
            if (tls.NotBefore is { } notBefore)
                o["notBefore"] = notBefore.ToUnixTimeSeconds();
            if (tls.NotAfter is { } notAfter)
                o["notAfter"] = notAfter.ToUnixTimeSeconds();
            Add(o, "ja3.client_hash", tls.Ja3Client);
            Add(o, "ja3.server_hash", tls.Ja3Server);
            if (tls.Cipher != 0)
            {
                o["ja3.server_cipher"] = tls.Cipher;
                o["ja3.server_unsafe_cipher"] = tls.CipherWeakness.ToString().ToLowerInvariant();
            }
            Add(o, "sha1_certificate_fingerprint", tls.CertificateSha1);
            Add(o, "user_agent", tls.UserAgent);
            proto["tls"] = o;
        }
        else if (Ssh is { } ssh)
        {
            var o = new JsonObject();
            Add(o, "client_signature", ssh.ClientBanner);
            Add(o, "server_signature", ssh.ServerBanner);
            Add(o, "hassh.client_hash", ssh.HasshClient);
            Add(o, "hassh.server_hash", ssh.HasshServer);
            proto["ssh"] = o;
        }
        if (Confidence != 0)
            proto["confidence"] = Confidence;
        parameters["proto"] = proto;
    }

    private static void Add(JsonObject o, string key, string value)
    {
        if (value.Length > 0)
            o[key] = value;
    }

    /// <summary>Copies what nDPI concluded for a finished flow; <paramref name="result"/> is the final process/giveup result.</summary>
    internal static NdpiApplication Read(NdpiModule module, nint flow, in NdpiShimResult result)
    {
        nint mod = module.Handle;
        int master = result.MasterProtocol, app = result.AppProtocol;
        // nDPI 4.2 leaves the URL risks (XSS, SQL injection, "..") to the caller; ndpiReader checks HTTP flows only.
        bool isHttp = master == HttpProtocol || app == HttpProtocol;
        ulong risk = NdpiNative.FlowRisk(mod, flow, isHttp ? 1 : 0);
        bool isSsh = master == SshProtocol || app == SshProtocol;
        var breed = module.Breed(master, app);
        // A protocol found through nDPI's caches (a conversation seen before) comes without its category.
        int category = result.Category == 0 && app != 0 ? NdpiNative.ProtocolCategory(mod, (ushort)master, (ushort)app) : result.Category;
        return new NdpiApplication
        {
            MasterProtocol = master,
            AppProtocol = app,
            ProtocolName = module.ProtocolName(master, app),
            IsEncrypted = module.IsEncrypted(master, app),
            Breed = breed.Breed,
            BreedName = breed.Name,
            Category = category,
            CategoryName = module.CategoryName(category),
            Confidence = result.Confidence,
            ConfidenceName = module.ConfidenceName(result.Confidence),
            Guessed = result.Guessed != 0,
            HostName = Str(mod, flow, isSsh ? NdpiStr.SshClientBanner : NdpiStr.Host),
            RiskBitmap = risk,
            RiskNames = module.RiskNames(risk),
            Http = ReadHttp(mod, flow),
            Tls = ReadTls(mod, flow),
            Ssh = isSsh ? ReadSsh(mod, flow) : null,
            Dns = ReadDns(mod, flow),
        };
    }

    private static NdpiHttp? ReadHttp(nint mod, nint flow)
    {
        var url = Str(mod, flow, NdpiStr.HttpUrl);
        if (url.Length == 0)
            return null;
        return new NdpiHttp
        {
            Url = url,
            Method = Str(mod, flow, NdpiStr.HttpMethod),
            UserAgent = Str(mod, flow, NdpiStr.HttpUserAgent),
            ResponseCode = (int)NdpiNative.GetNum(mod, flow, NdpiNum.HttpResponseCode, 0),
            ContentType = Str(mod, flow, NdpiStr.HttpContentType),
        };
    }

    private static NdpiTls? ReadTls(nint mod, nint flow)
    {
        // -1: the flow is not TLS, DTLS or QUIC (or a mail protocol over TLS), so the TLS fields do not apply.
        long version = NdpiNative.GetNum(mod, flow, NdpiNum.TlsVersion, -1);
        if (version < 0)
            return null;
        long notBefore = NdpiNative.GetNum(mod, flow, NdpiNum.TlsNotBefore, 0);
        long notAfter = NdpiNative.GetNum(mod, flow, NdpiNum.TlsNotAfter, 0);
        return new NdpiTls
        {
            Version = (int)version,
            VersionName = Str(mod, flow, NdpiStr.TlsVersion),
            Ja3Client = Str(mod, flow, NdpiStr.TlsJa3Client),
            Ja3Server = Str(mod, flow, NdpiStr.TlsJa3Server),
            Alpn = Str(mod, flow, NdpiStr.TlsAlpn),
            SupportedVersions = Str(mod, flow, NdpiStr.TlsSupportedVersions),
            Issuer = Str(mod, flow, NdpiStr.TlsIssuerDn),
            Subject = Str(mod, flow, NdpiStr.TlsSubjectDn),
            ServerNames = Str(mod, flow, NdpiStr.TlsServerNames),
            CertificateSha1 = Str(mod, flow, NdpiStr.TlsCertSha1),
            NotBefore = notBefore != 0 ? DateTimeOffset.FromUnixTimeSeconds(notBefore) : null,
            NotAfter = notAfter != 0 ? DateTimeOffset.FromUnixTimeSeconds(notAfter) : null,
            Cipher = (int)NdpiNative.GetNum(mod, flow, NdpiNum.TlsCipher, 0),
            CipherName = Str(mod, flow, NdpiStr.TlsCipher),
            CipherWeakness = (NdpiCipherWeakness)NdpiNative.GetNum(mod, flow, NdpiNum.TlsUnsafeCipher, 0),
            UserAgent = Str(mod, flow, NdpiStr.HttpUserAgent),
        };
    }

    private static NdpiSsh? ReadSsh(nint mod, nint flow)
    {
        var ssh = new NdpiSsh
        {
            ClientBanner = Str(mod, flow, NdpiStr.SshClientBanner),
            ServerBanner = Str(mod, flow, NdpiStr.SshServerBanner),
            HasshClient = Str(mod, flow, NdpiStr.SshHasshClient),
            HasshServer = Str(mod, flow, NdpiStr.SshHasshServer),
        };
        return ssh.ClientBanner.Length + ssh.ServerBanner.Length + ssh.HasshClient.Length + ssh.HasshServer.Length > 0 ? ssh : null;
    }

    private static NdpiDns? ReadDns(nint mod, nint flow)
    {
        long queryType = NdpiNative.GetNum(mod, flow, NdpiNum.DnsQueryType, -1);
        if (queryType < 0)
            return null;
        return new NdpiDns
        {
            QueryType = (int)queryType,
            ReplyCode = (int)NdpiNative.GetNum(mod, flow, NdpiNum.DnsReplyCode, 0),
            Answer = Str(mod, flow, NdpiStr.DnsAnswer),
        };
    }

    /// <summary>A string field, "" when it does not apply; a stack buffer first, a heap one only for long values (SAN lists).</summary>
    private static unsafe string Str(nint mod, nint flow, NdpiStr field)
    {
        const int StackSize = 256;
        byte* buffer = stackalloc byte[StackSize];
        int length = NdpiNative.GetStr(mod, flow, field, buffer, StackSize);
        if (length <= 0)
            return "";
        if (length < StackSize)
            return Encoding.UTF8.GetString(buffer, length);
        var large = new byte[length + 1];
        fixed (byte* p = large)
            length = NdpiNative.GetStr(mod, flow, field, p, large.Length);
        return Encoding.UTF8.GetString(large, 0, Math.Min(length, large.Length - 1));
    }
}
