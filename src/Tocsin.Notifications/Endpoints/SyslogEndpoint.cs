using System.Globalization;
using System.Net;
using System.Net.Sockets;
using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;
using Tocsin.Alerts;

namespace Tocsin.Notifications.Endpoints;

/// <summary>
/// Sends each alert as one syslog message (spec §4.8, wire facts in endpoint-wire-formats.md): an RFC 5424 or
/// RFC 3164 header over UDP, TCP (octet counting or LF framing, RFC 6587) or a local datagram socket (/dev/log),
/// with the body as one line of text, ntopng's notification JSON (as ntopng's json format) or an ECS document. The syslog severity comes from the
/// alert's score as in spec §1.2; the facility defaults to ntopng's 14 (log alert).
/// </summary>
/// <remarks>
/// Syslog has no acknowledgement: a UDP datagram or a TCP write handed to the kernel counts as delivered. Errors the
/// socket reports (refused, reset, no socket file) are retried, and a TCP connection the server closed is detected
/// before writing so the batch goes over a new one.
/// </remarks>
public sealed class SyslogEndpointType : EndpointType
{
    /// <summary>RFC 5424 §6.1: receivers must accept 480 octets; rsyslog's default maxMessageSize is 8 KiB.</summary>
    private const int MinMessageSize = 480;

    /// <summary>The largest UDP payload over IPv4.</summary>
    private const int MaxUdpMessageSize = 65507;

    private const string TruncatedMarker = "…[truncated]";
    private const int KeptOfACutString = 32;

    private static readonly string[] FacilityNames =
    [
        "kern", "user", "mail", "daemon", "auth", "syslog", "lpr", "news", "uucp", "cron", "authpriv", "ftp", "ntp", "audit",
        "log_alert", "clock", "local0", "local1", "local2", "local3", "local4", "local5", "local6", "local7",
    ];

    public static readonly ChoiceParameter Transport = new("transport", "udp, tcp, or unix (a local datagram socket)", "udp", "udp", "tcp", "unix");

    public static readonly TextParameter Host = new("host", "syslog server (udp and tcp)", "127.0.0.1")
    {
        Validator = h => Uri.CheckHostName(h) == UriHostNameType.Unknown ? $"'{h}' is not a host name or IP address" : null,
        MaxLength = 255,
    };

    public static readonly IntegerParameter Port = new("port", "syslog server port (udp and tcp)", 514, 1, 65535);

    public static readonly TextParameter Socket = new("socket", "local socket path (unix)", "/dev/log")
    {
        Validator = p => Path.IsPathRooted(p) ? null : "must be an absolute path",
    };

    public static readonly ChoiceParameter Format = new("format", "message body: plaintext (one line), json (the notification JSON, as ntopng) or ecs (an ECS document)", "plaintext",
        "plaintext", "json", "ecs");

    public static readonly ChoiceParameter Header = new("header", "rfc5424, or rfc3164 (the default on the unix socket)", "rfc5424",
        "rfc5424", "rfc3164");

    public static readonly ChoiceParameter Framing = new("framing", "tcp framing: octet-counting (RFC 6587 3.4.1) or lf", "octet-counting",
        "octet-counting", "lf");

    public static readonly TextParameter Facility = new("facility", "facility name (kern ... local7, log_alert) or number 0-23", "log_alert")
    {
        Validator = f => ParseFacility(f) is null ? $"'{f}' is not a facility (a number 0-23 or one of {string.Join(", ", FacilityNames)})" : null,
    };

    public static readonly TextParameter Hostname = new("hostname", "HOSTNAME field (default: this machine's name)")
    {
        Validator = h => h.All(c => c is > ' ' and < '\x7f') ? null : "must be printable ASCII without spaces",
        MaxLength = 255,
    };

    public static readonly TextParameter AppName = new("app_name", "APP-NAME (RFC 5424) or TAG (RFC 3164)", "tocsin")
    {
        Validator = h => h.All(c => char.IsAsciiLetterOrDigit(c) || c is '_' or '-' or '.') ? null : "letters, digits, '.', '_' and '-' only",
        MaxLength = 32,
    };

    public static readonly IntegerParameter MaxMessageSize = new("max_message_size",
        "longest message in bytes; longer ones are cut with a visible marker", 8192, MinMessageSize, 1024 * 1024);

    public override string Key => "syslog";

    public override string Description => "syslog messages (RFC 5424 or 3164) over UDP, TCP or the local socket; plaintext, json or ecs";

    // Each alert is one message; a batch is what goes out in one TCP write (or back-to-back datagrams).
    public override DeliveryDefaults Defaults { get; } = new()
    {
        Settings = new DeliverySettings { BatchSize = 100, Timeout = TimeSpan.FromSeconds(5) },
        MaxBatchSize = 1000,
    };

    public override IReadOnlyList<EndpointParameter> EndpointParameters =>
        [Transport, Host, Port, Socket, Format, Header, Framing, Facility, Hostname, AppName, MaxMessageSize];

    public override IEnumerable<ParameterProblem> Validate(ParameterValues endpoint)
    {
        var transport = endpoint.Get(Transport);
        if (transport == "unix")
        {
            foreach (var p in new EndpointParameter[] { Host, Port, Framing })
            {
                if (endpoint.IsGiven(p))
                    yield return new ParameterProblem(p.Name, $"{p.Name} does not apply to the unix transport (give socket)");
            }
        }
        else
        {
            if (endpoint.IsGiven(Socket))
                yield return new ParameterProblem(Socket.Name, $"socket applies to the unix transport only (this one is {transport})");
            if (transport == "udp" && endpoint.IsGiven(Framing))
                yield return new ParameterProblem(Framing.Name, "framing applies to the tcp transport only");
            if (transport == "udp" && endpoint.Get(MaxMessageSize) > MaxUdpMessageSize)
                yield return new ParameterProblem(MaxMessageSize.Name, $"a UDP datagram holds at most {MaxUdpMessageSize} bytes");
        }
    }

    public override IEndpointSender CreateSender(EndpointContext context) => new Sender(context);

    public static int? ParseFacility(string text)
    {
        if (int.TryParse(text, NumberStyles.None, CultureInfo.InvariantCulture, out var n))
            return n is >= 0 and <= 23 ? n : null;
        if (string.Equals(text, "alert", StringComparison.OrdinalIgnoreCase))
            return 14;
        int i = Array.FindIndex(FacilityNames, f => string.Equals(f, text, StringComparison.OrdinalIgnoreCase));
        return i >= 0 ? i : null;
    }

    /// <summary>The message body of <paramref name="n"/> in <paramref name="format"/>.</summary>
    public static string Body(Notification n, string format) => format switch
    {
        // As ntopng's syslog json format: the notification JSON itself, on one line as it was published.
        "json" => n.Json,
        "ecs" => Ecs(n),
        _ => AlertText.Line(n),
    };

    /// <summary>An Elastic Common Schema 8 document (event.kind alert), with the flow's or host's addresses.</summary>
    private static string Ecs(Notification n)
    {
        var f = n.Fields;
        return Json(w =>
        {
            w.WriteString("@timestamp", Iso(f.EventTime));
            w.WriteStartObject("ecs");
            w.WriteString("version", "8.11.0");
            w.WriteEndObject();
            w.WriteString("message", f.Message);
            w.WriteStartObject("event");
            w.WriteString("kind", "alert");
            w.WriteStartArray("category");
            w.WriteStringValue(f.Category == (int)AlertCategory.Security ? "intrusion_detection" : "network");
            w.WriteEndArray();
            w.WriteStartArray("type");
            w.WriteStringValue("info");
            w.WriteEndArray();
            w.WriteString("action", f.Action);
            w.WriteNumber("severity", (int)f.Severity);
            w.WriteNumber("risk_score", f.Score);
            w.WriteString("dataset", "tocsin.alerts");
            w.WriteString("module", "tocsin");
            w.WriteString("start", Iso(f.Tstamp));
            if (f.TstampEnd != 0)
                w.WriteString("end", Iso(f.TstampEnd));
            w.WriteEndObject();
            w.WriteStartObject("rule");
            w.WriteString("id", f.AlertId.ToString(CultureInfo.InvariantCulture));
            w.WriteString("name", f.AlertName);
            w.WriteString("description", n.Title);
            w.WriteString("category", ((AlertCategory)f.Category).Name());
            w.WriteEndObject();
            w.WriteStartObject("observer");
            w.WriteString("product", "Tocsin");
            w.WriteString("type", "ids");
            w.WriteEndObject();
            var related = new List<string>();
            if (f.IsFlow && f.CliIp is not null && f.SrvIp is not null)
            {
                Endpoint(w, "source", f.CliIp, f.CliPort);
                Endpoint(w, "destination", f.SrvIp, f.SrvPort);
                w.WriteStartObject("network");
                if (TransportName(f.Proto) is { } transport)
                    w.WriteString("transport", transport);
                w.WriteString("iana_number", f.Proto.ToString(CultureInfo.InvariantCulture));
                if (!string.IsNullOrEmpty(f.L7Name))
                    w.WriteString("protocol", f.L7Name.ToLowerInvariant());
                w.WriteStartObject("vlan");
                w.WriteString("id", f.VlanId.ToString(CultureInfo.InvariantCulture));
                w.WriteEndObject();
                w.WriteEndObject();
                related.AddRange([f.CliIp, f.SrvIp]);
            }
            else if (f.Ip is not null)
            {
                // A host alert's host is the source when it attacked, the destination when it was attacked.
                if (f.IsAttacker || f.IsVictim)
                    Endpoint(w, f.IsAttacker ? "source" : "destination", f.Ip, null);
                related.Add(f.Ip);
            }
            if (related.Count > 0)
            {
                w.WriteStartObject("related");
                w.WriteStartArray("ip");
                foreach (var ip in related.Distinct())
                    w.WriteStringValue(ip);
                w.WriteEndArray();
                w.WriteEndObject();
            }
            w.WriteStartObject("tocsin");
            w.WriteString("entity", f.Entity.Name());
            w.WriteString("entity_val", f.EntityValue);
            w.WriteString("subtype", f.Subtype);
            w.WriteNumber("granularity", f.Granularity);
            w.WriteNumber("ifid", f.InterfaceId);
            w.WriteEndObject();
        });

        static void Endpoint(Utf8JsonWriter w, string name, string ip, int? port)
        {
            w.WriteStartObject(name);
            w.WriteString("ip", ip);
            if (port is { } p)
                w.WriteNumber("port", p);
            w.WriteEndObject();
        }
    }

    private static string? TransportName(int proto) => proto switch
    {
        6 => "tcp",
        17 => "udp",
        1 => "icmp",
        58 => "ipv6-icmp",
        _ => null,
    };

    private static string Iso(long epochSeconds) =>
        DateTimeOffset.FromUnixTimeSeconds(epochSeconds).UtcDateTime.ToString("yyyy-MM-dd'T'HH:mm:ss.fff'Z'", CultureInfo.InvariantCulture);

    private static string Json(Action<Utf8JsonWriter> write)
    {
        var buffer = new System.Buffers.ArrayBufferWriter<byte>(512);
        using (var w = new Utf8JsonWriter(buffer, AlertJson.WriterOptions))
        {
            w.WriteStartObject();
            write(w);
            w.WriteEndObject();
        }
        return Encoding.UTF8.GetString(buffer.WrittenSpan);
    }

    /// <summary>
    /// The JSON document in at most <paramref name="budget"/> bytes, still valid, with "truncated": true added: first
    /// the top-level members that say nothing (false, 0, "", null, empty) go, then the longest strings are cut, each
    /// once, as little as fits (never below its first 32 characters; the marker ends it); past what strings can
    /// give, the largest top-level members are dropped. ntopng's "json" member is JSON text: it is never cut, only
    /// dropped whole.
    /// </summary>
    internal static byte[] ShrinkJson(byte[] body, int budget)
    {
        var root = JsonNode.Parse(body)!.AsObject();
        foreach (var key in root.Where(m => IsEmpty(m.Value)).Select(m => m.Key).ToList())
            root.Remove(key);
        root["truncated"] = true;
        var cut = new HashSet<JsonNode>(ReferenceEqualityComparer.Instance);
        while (true)
        {
            var bytes = Serialize(root);
            if (bytes.Length <= budget)
                return bytes;
            var longest = Strings(root)
                .Where(v => !cut.Contains(v) && v.GetValue<string>().Length > KeptOfACutString + TruncatedMarker.Length
                    && !(v.Parent == root && v.GetPropertyName() == "json"))
                .MaxBy(v => v.GetValue<string>().Length);
            if (longest is not null)
            {
                cut.Add(Cut(root, longest, budget));
                continue;
            }
            if (root.Count <= 1)
                return bytes;
            root.Remove(root.Where(m => m.Key != "truncated").MaxBy(m => Serialize(m.Value).Length).Key);
        }
    }

    /// <summary>
    /// Replaces a string by its longest start (at least <see cref="KeptOfACutString"/> characters) plus the marker
    /// with which the document fits in <paramref name="budget"/>, or by the shortest when none does; returns the new
    /// node. A binary search on the serialized document: escapes and multi-byte characters weigh what they weigh.
    /// </summary>
    private static JsonNode Cut(JsonObject root, JsonValue value, int budget)
    {
        var text = value.GetValue<string>();
        var parent = value.Parent!;
        int index = parent is JsonArray ? value.GetElementIndex() : -1;
        string name = parent is JsonArray ? "" : value.GetPropertyName();
        JsonNode Set(int keep)
        {
            // Never split a surrogate pair.
            if (char.IsHighSurrogate(text[keep - 1]))
                keep--;
            JsonNode node = JsonValue.Create(text[..keep] + TruncatedMarker);
            if (parent is JsonArray array)
                array[index] = node;
            else
                parent.AsObject()[name] = node;
            return node;
        }
        int low = KeptOfACutString, high = text.Length - TruncatedMarker.Length - 1;
        while (low < high)
        {
            int mid = (low + high + 1) / 2;
            Set(mid);
            if (Serialize(root).Length <= budget)
                low = mid;
            else
                high = mid - 1;
        }
        return Set(low);
    }

    private static bool IsEmpty(JsonNode? node) => node switch
    {
        null => true,
        JsonObject o => o.Count == 0,
        JsonArray a => a.Count == 0,
        JsonValue v => v.GetValueKind() switch
        {
            JsonValueKind.False => true,
            JsonValueKind.String => v.GetValue<string>().Length == 0,
            JsonValueKind.Number => v.ToJsonString() == "0",
            _ => false,
        },
        _ => false,
    };

    private static IEnumerable<JsonValue> Strings(JsonNode? node) => node switch
    {
        JsonObject o => o.SelectMany(m => Strings(m.Value)),
        JsonArray a => a.SelectMany(Strings),
        JsonValue v when v.GetValueKind() == JsonValueKind.String => [v],
        _ => [],
    };

    private static byte[] Serialize(JsonNode? node)
    {
        var buffer = new System.Buffers.ArrayBufferWriter<byte>(1024);
        using (var w = new Utf8JsonWriter(buffer, AlertJson.WriterOptions))
        {
            if (node is null)
                w.WriteNullValue();
            else
                node.WriteTo(w);
        }
        return buffer.WrittenSpan.ToArray();
    }

    private sealed class Sender : IEndpointSender
    {
        private static readonly string[] Months = ["Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"];

        private readonly EndpointContext context;
        private readonly string transport;
        private readonly string host;
        private readonly int port;
        private readonly string socketPath;
        private readonly string format;
        private readonly bool rfc5424;
        private readonly bool octetCounting;
        private readonly int facility;
        private readonly string hostname;
        private readonly string appName;
        private readonly int maxMessageSize;
        private readonly string procId = Environment.ProcessId.ToString(CultureInfo.InvariantCulture);
        private System.Net.Sockets.Socket? socket;

        public Sender(EndpointContext context)
        {
            this.context = context;
            var p = context.EndpointParameters;
            transport = p.Get(Transport);
            host = p.Get(Host)!;
            port = p.Get(Port);
            socketPath = p.Get(Socket)!;
            format = p.Get(Format);
            // The local socket's usual reader (rsyslog's imuxsock, journald) expects the traditional local format.
            rfc5424 = p.IsGiven(Header) ? p.Get(Header) == "rfc5424" : transport != "unix";
            octetCounting = p.Get(Framing) == "octet-counting";
            facility = ParseFacility(p.Get(Facility)!)!.Value;
            hostname = p.Get(Hostname) ?? SafeHostName();
            appName = p.Get(AppName)!;
            maxMessageSize = p.Get(MaxMessageSize);
            Destination = transport == "unix" ? "unix://" + socketPath : $"{transport}://{FormatHost(host)}:{port}";
        }

        public string Destination { get; }

        public async Task<DeliveryResult> SendAsync(IReadOnlyList<Notification> batch, CancellationToken cancellation)
        {
            var messages = batch.Select(Message).ToList();
            using var deadline = CancellationTokenSource.CreateLinkedTokenSource(cancellation);
            deadline.CancelAfter(context.Delivery.Timeout);
            try
            {
                var s = await ConnectAsync(deadline.Token).ConfigureAwait(false);
                if (transport == "tcp")
                {
                    await s.SendAsync(Frame(messages), SocketFlags.None, deadline.Token).ConfigureAwait(false);
                }
                else
                {
                    foreach (var m in messages)
                        await s.SendAsync(m, SocketFlags.None, deadline.Token).ConfigureAwait(false);
                }
                return DeliveryResult.Delivered($"{messages.Count} message(s) written to {Destination}");
            }
            catch (OperationCanceledException) when (!cancellation.IsCancellationRequested)
            {
                Close();
                return DeliveryResult.Retry(FailureKind.Timeout, $"{Destination}: no progress within {Durations.Format(context.Delivery.Timeout)}");
            }
            catch (SocketException e)
            {
                Close();
                return DeliveryResult.Retry(FailureKind.Network, $"{Destination}: {SocketErrors.Describe(e.SocketErrorCode)}");
            }
            catch (IOException e) when (e.InnerException is SocketException inner)
            {
                Close();
                return DeliveryResult.Retry(FailureKind.Network, $"{Destination}: {SocketErrors.Describe(inner.SocketErrorCode)}");
            }
        }

        /// <summary>The open socket, reconnecting when there is none or a TCP peer has closed its end.</summary>
        private async Task<System.Net.Sockets.Socket> ConnectAsync(CancellationToken cancellation)
        {
            if (socket is not null && transport == "tcp" && socket.Poll(0, SelectMode.SelectRead) && socket.Available == 0)
                Close();
            if (socket is not null)
                return socket;
            System.Net.Sockets.Socket s;
            EndPoint endpoint;
            if (transport == "unix")
            {
                s = new System.Net.Sockets.Socket(AddressFamily.Unix, SocketType.Dgram, ProtocolType.Unspecified);
                endpoint = new UnixDomainSocketEndPoint(socketPath);
            }
            else
            {
                var address = IPAddress.TryParse(host, out var ip) ? ip
                    : (await Dns.GetHostAddressesAsync(host, cancellation).ConfigureAwait(false)).FirstOrDefault()
                      ?? throw new SocketException((int)SocketError.HostNotFound);
                s = transport == "tcp"
                    ? new System.Net.Sockets.Socket(address.AddressFamily, SocketType.Stream, ProtocolType.Tcp) { NoDelay = true }
                    : new System.Net.Sockets.Socket(address.AddressFamily, SocketType.Dgram, ProtocolType.Udp);
                endpoint = new IPEndPoint(address, port);
            }
            try
            {
                await s.ConnectAsync(endpoint, cancellation).ConfigureAwait(false);
            }
            catch
            {
                s.Dispose();
                throw;
            }
            socket = s;
            return s;
        }

        private byte[] Message(Notification n)
        {
            var f = n.Fields;
            int pri = facility * 8 + Scores.ToSyslog(f.Severity);
            var now = context.Time.GetUtcNow();
            string header;
            if (rfc5424)
            {
                header = string.Create(CultureInfo.InvariantCulture,
                    $"<{pri}>1 {now.UtcDateTime:yyyy-MM-dd'T'HH:mm:ss.fff'Z'} {hostname} {appName} {procId} {MsgId(f.AlertName)} - ");
            }
            else
            {
                var local = TimeZoneInfo.ConvertTime(now, context.Time.LocalTimeZone);
                // RFC 3164 §4.1.2: "Mmm dd hh:mm:ss", the day padded with a space; no HOSTNAME on the local socket (as glibc's syslog()).
                var stamp = string.Create(CultureInfo.InvariantCulture, $"{Months[local.Month - 1]} {local.Day,2} {local:HH:mm:ss}");
                header = transport == "unix" ? $"<{pri}>{stamp} {appName}[{procId}]: " : $"<{pri}>{stamp} {hostname} {appName}[{procId}]: ";
            }
            // Every format is one line (plaintext escapes control characters, JSON escapes them), so LF framing is safe.
            return Fit(Encoding.UTF8.GetBytes(header), Encoding.UTF8.GetBytes(Body(n, format)));
        }

        /// <summary>
        /// Header + body, the body cut with a visible marker when too long: a JSON body (json, ecs) stays valid JSON,
        /// with its longest strings cut; a text body is cut on a character boundary.
        /// </summary>
        private byte[] Fit(byte[] header, byte[] body)
        {
            if (header.Length + body.Length <= maxMessageSize)
                return [.. header, .. body];
            if (format != "plaintext")
                return [.. header, .. ShrinkJson(body, maxMessageSize - header.Length)];
            var marker = Encoding.UTF8.GetBytes(TruncatedMarker);
            int keep = Math.Max(0, maxMessageSize - header.Length - marker.Length);
            while (keep > 0 && (body[keep] & 0xC0) == 0x80)
                keep--;
            return [.. header, .. body.AsSpan(0, keep), .. marker];
        }

        private byte[] Frame(List<byte[]> messages)
        {
            using var buffer = new MemoryStream();
            foreach (var m in messages)
            {
                if (octetCounting)
                    buffer.Write(Encoding.ASCII.GetBytes(m.Length.ToString(CultureInfo.InvariantCulture) + " "));
                buffer.Write(m);
                if (!octetCounting)
                    buffer.WriteByte((byte)'\n');
            }
            return buffer.ToArray();
        }

        /// <summary>RFC 5424 MSGID: up to 32 printable ASCII characters, "-" when empty.</summary>
        private static string MsgId(string name)
        {
            var id = new string([.. name.Where(c => c is > ' ' and < '\x7f').Take(32)]);
            return id.Length > 0 ? id : "-";
        }

        private static string SafeHostName()
        {
            var name = new string([.. Dns.GetHostName().Where(c => c is > ' ' and < '\x7f')]);
            return name.Length > 0 ? name : "-";
        }

        private static string FormatHost(string h) => h.Contains(':') ? $"[{h}]" : h;

        private void Close()
        {
            socket?.Dispose();
            socket = null;
        }

        public ValueTask DisposeAsync()
        {
            Close();
            return ValueTask.CompletedTask;
        }
    }
}
