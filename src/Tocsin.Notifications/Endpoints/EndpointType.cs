using Tocsin.Alerts;

namespace Tocsin.Notifications;

/// <summary>A problem found by an endpoint type's cross-parameter validation; <see cref="Parameter"/> locates it ("" for the endpoint itself).</summary>
public readonly record struct ParameterProblem(string Parameter, string Message);

/// <summary>
/// A kind of service alerts are delivered to. Adding one is one file: a class deriving from this one (found by
/// <see cref="EndpointRegistry"/>) that declares its parameters as <c>static readonly</c> fields, its defaults, and
/// a sender that formats and sends a batch. The dispatcher owns queueing, batching, rate limits and retries.
/// </summary>
public abstract class EndpointType
{
    private DeliveryParameterSet? delivery;

    /// <summary>The <c>type:</c> of an endpoint in the config file.</summary>
    public abstract string Key { get; }

    public abstract string Description { get; }

    /// <summary>Batch size, cadence, timeout, rate limit and retry defaults, and the service's batch limit.</summary>
    public abstract DeliveryDefaults Defaults { get; }

    /// <summary>Parameters of the endpoint (the service): URL, credentials, server...</summary>
    public virtual IReadOnlyList<EndpointParameter> EndpointParameters => [];

    /// <summary>Parameters each recipient of this type gives (a chat id, a script's arguments...).</summary>
    public virtual IReadOnlyList<EndpointParameter> RecipientParameters => [];

    /// <summary>The delivery tuning every endpoint accepts, with this type's defaults.</summary>
    public IReadOnlyList<EndpointParameter> DeliveryParameters => (delivery ??= new DeliveryParameterSet(Defaults)).All;

    /// <summary>Checks that need several parameters at once (e.g. a transport and a port).</summary>
    public virtual IEnumerable<ParameterProblem> Validate(ParameterValues endpoint) => [];

    /// <summary>Checks of a recipient's parameters against its endpoint's.</summary>
    public virtual IEnumerable<ParameterProblem> ValidateRecipient(ParameterValues endpoint, ParameterValues recipient) => [];

    /// <summary>The actions a recipient of this type is sent, when its parameters narrow them (null: no narrowing).</summary>
    public virtual IReadOnlySet<AlertAction>? Actions(ParameterValues recipient) => null;

    /// <summary>A sender for one recipient. Called once per recipient; it may keep connections open.</summary>
    public abstract IEndpointSender CreateSender(EndpointContext context);

    public DeliverySettings DeliverySettings(ParameterValues values) => (delivery ??= new DeliveryParameterSet(Defaults)).Settings(values);
}

/// <summary>The delivery parameters of one endpoint type, built with its defaults.</summary>
internal sealed class DeliveryParameterSet(DeliveryDefaults d)
{
    public IntegerParameter BatchSize { get; } = new("batch_size", "most alerts per request", d.Settings.BatchSize, 1, d.MaxBatchSize);

    public DurationParameter BatchDelay { get; } = new("batch_delay", "how long a partial batch waits for more alerts",
        d.Settings.BatchDelay, TimeSpan.Zero, TimeSpan.FromMinutes(10));

    public DurationParameter Timeout { get; } = new("timeout", "longest wait for one request", d.Settings.Timeout,
        TimeSpan.FromMilliseconds(1), TimeSpan.FromMinutes(10));

    public RateParameter Rate { get; } = new("rate_limit", "requests allowed to the destination", d.Settings.RateLimit);

    public DurationParameter RetryInitial { get; } = new("retry_initial", "first retry delay (doubled per failure, with jitter)",
        d.Settings.RetryInitial, TimeSpan.FromMilliseconds(1), TimeSpan.FromHours(1));

    public DurationParameter RetryMax { get; } = new("retry_max", "longest retry delay", d.Settings.RetryMax,
        TimeSpan.FromMilliseconds(1), TimeSpan.FromDays(1));

    public IReadOnlyList<EndpointParameter> All => [BatchSize, BatchDelay, Timeout, Rate, RetryInitial, RetryMax];

    public DeliverySettings Settings(ParameterValues values) => new()
    {
        BatchSize = values.Get(BatchSize),
        BatchDelay = values.Get(BatchDelay),
        Timeout = values.Get(Timeout),
        RateLimit = values.Get(Rate),
        RetryInitial = values.Get(RetryInitial),
        RetryMax = values.Get(RetryMax),
    };
}

/// <summary>Formats and sends batches for one recipient.</summary>
public interface IEndpointSender : IAsyncDisposable
{
    /// <summary>Where it sends, without secrets ("https://hooks.example.com:443", "udp://10.0.0.5:514"): the rate-limit key.</summary>
    string Destination { get; }

    /// <summary>Secrets the sender derives from its parameters (e.g. a Basic authorization token), for redaction.</summary>
    IEnumerable<string> DerivedSecrets => [];

    /// <summary>
    /// Sends <paramref name="batch"/> (at most the configured batch size, in queue order) and says what happened.
    /// Expected failures are answers, not exceptions; <paramref name="cancellation"/> means the process is stopping.
    /// </summary>
    Task<DeliveryResult> SendAsync(IReadOnlyList<Notification> batch, CancellationToken cancellation);
}

/// <summary>What a sender is created with.</summary>
public sealed class EndpointContext
{
    public required string RecipientName { get; init; }

    public required EndpointConfig Endpoint { get; init; }

    public ParameterValues EndpointParameters => Endpoint.Parameters;

    public required ParameterValues RecipientParameters { get; init; }

    public DeliverySettings Delivery => Endpoint.Delivery;

    public required IHttpClientFactory HttpClients { get; init; }

    public TimeProvider Time { get; init; } = TimeProvider.System;

    /// <summary>The shared client for notifications: no redirects, no request logging (URLs may hold tokens).</summary>
    public HttpClient CreateHttpClient() => HttpClients.CreateClient(NotificationServices.HttpClientName);
}
