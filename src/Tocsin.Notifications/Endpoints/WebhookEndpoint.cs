using System.Net.Http.Headers;
using System.Security.Cryptography;
using System.Text;
using System.Text.Json;
using System.Text.RegularExpressions;
using Tocsin.Alerts;

namespace Tocsin.Notifications.Endpoints;

/// <summary>
/// POSTs alerts as ntopng's webhook does (spec §4.7): <c>{"version":"0.2","sharedsecret":...,"alerts":[...]}</c>,
/// each alert in ntopng's notification JSON, <c>Content-Type: application/json</c>, Basic auth when a user or password
/// is set. Tocsin adds extra headers, an X-Tocsin-Signature (HMAC-SHA256 of the body) when a signing key is set, and
/// a configurable batch and timeout.
/// </summary>
public sealed partial class WebhookEndpointType : EndpointType
{
    /// <summary>ntopng's webhook.lua API_VERSION.</summary>
    public const string ApiVersion = "0.2";

    public const string SignatureHeader = "X-Tocsin-Signature";

    public static readonly UrlParameter Url = new("url", "where alerts are POSTed", "http", "https") { Required = true };

    public static readonly TextParameter SharedSecret = new("shared_secret", "sent in the body as ntopng's sharedsecret") { Secret = true };

    public static readonly TextParameter Username = new("username", "HTTP Basic user");

    public static readonly TextParameter Password = new("password", "HTTP Basic password") { Secret = true };

    public static readonly TextParameter SigningKey = new("signing_key", $"key of the {SignatureHeader} header: sha256=<hex HMAC-SHA256 of the body>") { Secret = true };

    public static readonly MapParameter Headers = new("headers", "extra request headers (values are treated as secrets)", ValidateHeaderName, ValidateHeaderValue)
    {
        Secret = true,
    };

    /// <summary>Headers Tocsin sets itself.</summary>
    private static readonly string[] ReservedHeaders = ["Content-Type", "Content-Length", "Host", "Transfer-Encoding", SignatureHeader];

    public override string Key => "webhook";

    public override string Description => "HTTP POST of alert batches as ntopng's webhook (JSON, version 0.2)";

    // ntopng sends at most 10 alerts per request (MAX_ALERTS_PER_REQUEST) with a 1 s timeout; 1 s is too short
    // for a service across the Internet, so Tocsin waits 5 s. 1000 per request keeps bodies around 1 MB.
    public override DeliveryDefaults Defaults { get; } = new()
    {
        Settings = new DeliverySettings { BatchSize = 10, BatchDelay = TimeSpan.FromMilliseconds(200), Timeout = TimeSpan.FromSeconds(5) },
        MaxBatchSize = 1000,
    };

    public override IReadOnlyList<EndpointParameter> EndpointParameters => [Url, SharedSecret, Username, Password, SigningKey, Headers];

    public override IEnumerable<ParameterProblem> Validate(ParameterValues endpoint)
    {
        bool basic = endpoint.Get(Username) is not null || endpoint.Get(Password) is not null;
        foreach (var (name, _) in endpoint.Get(Headers))
        {
            if (ReservedHeaders.Contains(name, StringComparer.OrdinalIgnoreCase))
                yield return new ParameterProblem(Headers.Name, $"{name} is set by Tocsin");
            else if (basic && string.Equals(name, "Authorization", StringComparison.OrdinalIgnoreCase))
                yield return new ParameterProblem(Headers.Name, "Authorization conflicts with username/password");
        }
        if (endpoint.Get(Url) is { UserInfo.Length: > 0 })
            yield return new ParameterProblem(Url.Name, "put credentials in username and password, not in the URL");
    }

    public override IEndpointSender CreateSender(EndpointContext context) => new Sender(context);

    [GeneratedRegex("^[!#$%&'*+.^_`|~0-9A-Za-z-]+$")]
    private static partial Regex HeaderToken();

    private static string? ValidateHeaderName(string name) => HeaderToken().IsMatch(name) ? null : "not a valid HTTP header name";

    private static string? ValidateHeaderValue(string value) =>
        value.Any(c => c is '\r' or '\n' or '\0') ? "header values cannot contain line breaks" : null;

    /// <summary>The request body for <paramref name="alerts"/>, in ntopng's key order.</summary>
    public static byte[] Body(IEnumerable<Notification> alerts, string? sharedSecret)
    {
        var buffer = new System.Buffers.ArrayBufferWriter<byte>(4096);
        using (var w = new Utf8JsonWriter(buffer, AlertJson.WriterOptions))
        {
            w.WriteStartObject();
            w.WriteString("version", ApiVersion);
            if (sharedSecret is not null)
                w.WriteString("sharedsecret", sharedSecret);
            w.WriteStartArray("alerts");
            foreach (var n in alerts)
                w.WriteRawValue(n.Json, skipInputValidation: true);
            w.WriteEndArray();
            w.WriteEndObject();
        }
        return buffer.WrittenSpan.ToArray();
    }

    /// <summary>"sha256=" + lowercase hex HMAC-SHA256 of the body (as GitHub's X-Hub-Signature-256).</summary>
    public static string Signature(ReadOnlySpan<byte> body, string key) =>
        "sha256=" + Convert.ToHexStringLower(HMACSHA256.HashData(Encoding.UTF8.GetBytes(key), body));

    private sealed class Sender : IEndpointSender
    {
        private readonly EndpointContext context;
        private readonly HttpClient client;
        private readonly Uri url;
        private readonly string? sharedSecret;
        private readonly string? signingKey;
        private readonly AuthenticationHeaderValue? basic;

        public Sender(EndpointContext context)
        {
            this.context = context;
            var p = context.EndpointParameters;
            client = context.CreateHttpClient();
            url = p.Get(Url)!;
            sharedSecret = p.Get(SharedSecret);
            signingKey = p.Get(SigningKey);
            if (p.Get(Username) is not null || p.Get(Password) is not null)
            {
                var token = Convert.ToBase64String(Encoding.UTF8.GetBytes($"{p.Get(Username)}:{p.Get(Password)}"));
                basic = new AuthenticationHeaderValue("Basic", token);
            }
            Destination = UrlParameter.Origin(url);
        }

        public string Destination { get; }

        public IEnumerable<string> DerivedSecrets => basic?.Parameter is { } token ? [token] : [];

        public Task<DeliveryResult> SendAsync(IReadOnlyList<Notification> batch, CancellationToken cancellation)
        {
            var body = Body(batch, sharedSecret);
            var request = new HttpRequestMessage(HttpMethod.Post, url) { Content = new ByteArrayContent(body) };
            request.Content.Headers.ContentType = new MediaTypeHeaderValue("application/json");
            request.Headers.Authorization = basic;
            foreach (var (name, value) in context.EndpointParameters.Get(Headers))
            {
                // Content headers (Content-Language...) belong to the content, every other one to the request.
                if (!request.Headers.TryAddWithoutValidation(name, value))
                    request.Content.Headers.TryAddWithoutValidation(name, value);
            }
            if (signingKey is not null)
                request.Headers.TryAddWithoutValidation(SignatureHeader, Signature(body, signingKey));
            return SendAndDisposeAsync(request, cancellation);
        }

        private async Task<DeliveryResult> SendAndDisposeAsync(HttpRequestMessage request, CancellationToken cancellation)
        {
            using (request)
                return await HttpDelivery.SendAsync(client, request, context.Delivery.Timeout, context.Time, cancellation).ConfigureAwait(false);
        }

        public ValueTask DisposeAsync()
        {
            client.Dispose();
            return ValueTask.CompletedTask;
        }
    }
}
