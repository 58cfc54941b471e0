using Microsoft.Extensions.DependencyInjection;

namespace Tocsin.Notifications.Tests;

/// <summary>One row of the HTTP status matrix: what the service answers and what the endpoint must make of it.</summary>
public sealed record StatusCase(string Name, Reply Reply, DeliveryOutcome Outcome, FailureKind? Kind, TimeSpan? After = null)
{
    public override string ToString() => Name;
}

/// <summary>
/// Checks every endpoint must pass: HTTP endpoints classify the status matrix the same way (what is delivered,
/// retried after how long, or failed), and no endpoint lets a secret reach a log, an error or a listing.
/// </summary>
public static class EndpointContract
{
    private static readonly ServiceProvider Services = new ServiceCollection().AddNotificationHttpClient().BuildServiceProvider();

    private static Dictionary<string, string> Header(string name, string value) => new() { [name] = value };

    public static IReadOnlyList<StatusCase> StatusCases { get; } =
    [
        new("200", new Reply(200, "ok"), DeliveryOutcome.Delivered, null),
        new("202", new Reply(202), DeliveryOutcome.Delivered, null),
        new("204", new Reply(204), DeliveryOutcome.Delivered, null),
        new("302", new Reply(302, Headers: Header("Location", "/elsewhere")), DeliveryOutcome.Failed, FailureKind.Config),
        new("400", new Reply(400, "bad request"), DeliveryOutcome.Failed, FailureKind.ClientError),
        new("401", new Reply(401), DeliveryOutcome.Failed, FailureKind.Auth),
        new("403", new Reply(403), DeliveryOutcome.Failed, FailureKind.Auth),
        new("404", new Reply(404), DeliveryOutcome.Failed, FailureKind.Config),
        new("405", new Reply(405), DeliveryOutcome.Failed, FailureKind.Config),
        new("408", new Reply(408), DeliveryOutcome.Retry, FailureKind.Timeout),
        new("410", new Reply(410), DeliveryOutcome.Failed, FailureKind.Config),
        new("413", new Reply(413), DeliveryOutcome.Failed, FailureKind.ClientError),
        new("422", new Reply(422, """{"error":"invalid field"}"""), DeliveryOutcome.Failed, FailureKind.ClientError),
        new("429 Retry-After header", new Reply(429, Headers: Header("Retry-After", "7")), DeliveryOutcome.Retry, FailureKind.RateLimited, TimeSpan.FromSeconds(7)),
        new("429 retry_after body", new Reply(429, """{"ok":false,"error":"rate_limited","retry_after":2.5}""", Header("Content-Type", "application/json")),
            DeliveryOutcome.Retry, FailureKind.RateLimited, TimeSpan.FromSeconds(2.5)),
        new("429 parameters.retry_after body", new Reply(429, """{"ok":false,"parameters":{"retry_after":3}}"""),
            DeliveryOutcome.Retry, FailureKind.RateLimited, TimeSpan.FromSeconds(3)),
        new("429 without a delay", new Reply(429), DeliveryOutcome.Retry, FailureKind.RateLimited),
        new("500", new Reply(500, "oops"), DeliveryOutcome.Retry, FailureKind.ServerError),
        new("503 Retry-After header", new Reply(503, Headers: Header("Retry-After", "3")), DeliveryOutcome.Retry, FailureKind.ServerError, TimeSpan.FromSeconds(3)),
        new("503", new Reply(503), DeliveryOutcome.Retry, FailureKind.ServerError),
        new("no answer in time", new Reply(200, Delay: TimeSpan.FromSeconds(10)), DeliveryOutcome.Retry, FailureKind.Timeout),
    ];

    public static TheoryData<string> StatusCaseNames => [.. StatusCases.Select(c => c.Name)];

    public static StatusCase Case(string name) => StatusCases.Single(c => c.Name == name);

    /// <summary>A sender for <paramref name="recipient"/> of <paramref name="config"/>, as the dispatcher makes it.</summary>
    public static (IEndpointSender Sender, SecretRedactor Redactor) Sender(NotificationConfig config, string recipient)
    {
        var r = config.FindRecipient(recipient) ?? throw new ArgumentException("no recipient " + recipient);
        var sender = NotificationDispatcher.CreateSender(r, Services.GetRequiredService<IHttpClientFactory>(), TimeProvider.System);
        return (sender, NotificationDispatcher.Redactor(r, sender));
    }

    /// <summary>Makes <paramref name="receiver"/> answer as <paramref name="c"/> says and checks the sender's decision.</summary>
    public static async Task<DeliveryResult> AssertClassifiedAsync(HttpReceiver receiver, IEndpointSender sender, SecretRedactor redactor,
        IReadOnlyList<Notification> batch, StatusCase c)
    {
        receiver.Respond = (_, _) => c.Reply;
        var result = await NotificationDispatcher.SendAsync(sender, redactor, batch, CancellationToken.None);
        Assert.True(c.Outcome == result.Outcome, $"{c.Name}: expected {c.Outcome}, got {result}");
        Assert.Equal(c.Kind, result.Kind);
        Assert.Equal(c.After, result.After);
        return result;
    }

    /// <summary>Fails naming where a secret leaked.</summary>
    public static void AssertNoSecrets(IEnumerable<string> secrets, string text, string where)
    {
        foreach (var secret in secrets)
            Assert.False(text.Contains(secret, StringComparison.Ordinal), $"secret '{secret}' leaked into {where}:\n{text}");
    }
}
