namespace Tocsin.Notifications;

/// <summary>Why a delivery attempt did not succeed.</summary>
public enum FailureKind
{
    /// <summary>The service rejected this request's content (HTTP 400, 413, 422, a script's non-zero exit status): other alerts may pass.</summary>
    ClientError,

    /// <summary>The service failed (HTTP 5xx, a script's exit status 75: temporary failure).</summary>
    ServerError,

    /// <summary>The service refused the credentials (HTTP 401, 403).</summary>
    Auth,

    /// <summary>The service asked to slow down (HTTP 429), possibly saying for how long.</summary>
    RateLimited,

    /// <summary>No answer in time (HTTP 408, request or script timeout).</summary>
    Timeout,

    /// <summary>The service could not be reached (refused, reset, unknown host, unreachable socket).</summary>
    Network,

    /// <summary>
    /// The endpoint, as configured, takes no alert at all (HTTP 3xx, 404, 410 and other 4xx, a script that cannot
    /// start): a fault of the URL or the script, not of the alert.
    /// </summary>
    Config,
}

public enum DeliveryOutcome
{
    Delivered,
    Retry,
    Failed,
}

/// <summary>
/// An endpoint's answer for one batch. The dispatcher decides what follows: <see cref="DeliveryOutcome.Delivered"/>
/// removes the batch from the queue, <see cref="DeliveryOutcome.Retry"/> keeps it and backs off (for
/// <see cref="After"/> when the service said so), <see cref="DeliveryOutcome.Failed"/> means resending the same
/// request cannot succeed: with <see cref="FailureKind.ClientError"/> the batch's content is at fault
/// (<see cref="RejectsBatch"/>), with any other kind the endpoint's configuration is, and the batch waits for a fix.
/// </summary>
public sealed record DeliveryResult
{
    private DeliveryResult(DeliveryOutcome outcome, FailureKind? kind, string text, TimeSpan? after)
    {
        Outcome = outcome;
        Kind = kind;
        Text = text;
        After = after;
    }

    public DeliveryOutcome Outcome { get; }

    /// <summary>Null when delivered.</summary>
    public FailureKind? Kind { get; }

    /// <summary>The service's answer when delivered, the reason otherwise. Never holds a secret.</summary>
    public string Text { get; }

    /// <summary>How long the service asked to wait (Retry-After, retry_after), for retries only.</summary>
    public TimeSpan? After { get; }

    public bool IsDelivered => Outcome == DeliveryOutcome.Delivered;

    /// <summary>The service refused these alerts themselves: resent alone, the others may pass. Only then is an alert set aside.</summary>
    public bool RejectsBatch => Outcome == DeliveryOutcome.Failed && Kind == FailureKind.ClientError;

    public static DeliveryResult Delivered(string answer) => new(DeliveryOutcome.Delivered, null, answer, null);

    public static DeliveryResult Retry(FailureKind kind, string reason, TimeSpan? after = null) =>
        new(DeliveryOutcome.Retry, kind, reason, after is { } a && a < TimeSpan.Zero ? TimeSpan.Zero : after);

    public static DeliveryResult Failed(FailureKind kind, string reason) => new(DeliveryOutcome.Failed, kind, reason, null);

    /// <summary>Longest text kept once redacted. Endpoints may report more (a response excerpt of a few KB).</summary>
    public const int MaxTextLength = 300;

    /// <summary>
    /// The same result with its text passed through <paramref name="redact"/>, then cut to <see cref="MaxTextLength"/>:
    /// cutting after redacting, far before the endpoint's own cut, leaves no partial secret behind.
    /// </summary>
    public DeliveryResult Redacted(Func<string, string> redact)
    {
        var text = redact(Text);
        return new(Outcome, Kind, text.Length <= MaxTextLength ? text : text[..MaxTextLength] + "…", After);
    }

    public override string ToString() => Outcome switch
    {
        DeliveryOutcome.Delivered => "delivered: " + Text,
        _ => $"{Outcome.ToString().ToLowerInvariant()} ({Kind!.Value.Name()}): {Text}",
    };
}

public static class FailureKinds
{
    /// <summary>snake_case name used in logs, statistics and the database.</summary>
    public static string Name(this FailureKind kind) => kind switch
    {
        FailureKind.ClientError => "client_error",
        FailureKind.ServerError => "server_error",
        FailureKind.Auth => "auth",
        FailureKind.RateLimited => "rate_limited",
        FailureKind.Timeout => "timeout",
        FailureKind.Config => "config",
        _ => "network",
    };
}
