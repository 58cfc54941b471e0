using Tocsin.Alerts;

namespace Tocsin.Notifications;

/// <summary>Delivery tuning every endpoint type has, with per-type defaults (<see cref="EndpointType.Defaults"/>).</summary>
public sealed record DeliverySettings
{
    /// <summary>Most alerts per request (or per message, for services that take one at a time: 1).</summary>
    public int BatchSize { get; init; } = 1;

    /// <summary>How long a partial batch may wait for more alerts before it is sent anyway.</summary>
    public TimeSpan BatchDelay { get; init; }

    /// <summary>Longest wait for one request (or script run) before it counts as a timeout.</summary>
    public TimeSpan Timeout { get; init; } = TimeSpan.FromSeconds(10);

    /// <summary>Requests per second allowed to the destination (token bucket); null: no limit.</summary>
    public RateLimit? RateLimit { get; init; }

    /// <summary>First retry delay; doubled after each consecutive failure up to <see cref="RetryMax"/>, with jitter.</summary>
    public TimeSpan RetryInitial { get; init; } = TimeSpan.FromSeconds(1);

    public TimeSpan RetryMax { get; init; } = TimeSpan.FromMinutes(5);
}

/// <summary>Defaults of an endpoint type, and the largest batch its service takes.</summary>
public sealed record DeliveryDefaults
{
    public required DeliverySettings Settings { get; init; }

    public required int MaxBatchSize { get; init; }
}

/// <summary>A configured service (one webhook URL, one syslog server, one script).</summary>
public sealed record EndpointConfig(string Name, EndpointType Type, ParameterValues Parameters, DeliverySettings Delivery);

/// <summary>Which alerts a recipient receives. Every condition must hold.</summary>
public sealed record RecipientFilter
{
    public static IReadOnlySet<AlertAction> AllActions { get; } = new HashSet<AlertAction>(Enum.GetValues<AlertAction>());

    /// <summary>Lowest severity sent (from the alert's score, as ntopng); ntopng's default is notice.</summary>
    public Severity MinSeverity { get; init; } = Severity.Notice;

    /// <summary>Null: every category.</summary>
    public IReadOnlySet<AlertCategory>? Categories { get; init; }

    /// <summary>Null: every entity kind.</summary>
    public IReadOnlySet<AlertEntity>? Entities { get; init; }

    /// <summary>Null: every alert type; otherwise (space, id) pairs.</summary>
    public IReadOnlySet<(AlertTypeSpace Space, int Id)>? AlertTypes { get; init; }

    public IReadOnlySet<AlertAction> Actions { get; init; } = AllActions;

    /// <summary>Zero: off. Otherwise the same alert on the same entity is sent at most once per window.</summary>
    public TimeSpan SilenceDuplicates { get; init; }

    public bool Matches(Alert alert) =>
        alert.Severity >= MinSeverity
        && Actions.Contains(alert.Action)
        && (Categories?.Contains(alert.Category) ?? true)
        && (Entities?.Contains(alert.Entity) ?? true)
        && (AlertTypes?.Contains((alert.Type.Space, alert.Type.Id)) ?? true);
}

/// <summary>Binds an endpoint to a filter and a durable queue.</summary>
public sealed record RecipientConfig
{
    public const int DefaultQueueSize = 100_000;

    /// <summary>Letters, digits, '.', '_' and '-': the name identifies the queue in the database.</summary>
    public required string Name { get; init; }

    public required EndpointConfig Endpoint { get; init; }

    public RecipientFilter Filter { get; init; } = new();

    /// <summary>The endpoint type's recipient parameters (e.g. a script's arguments).</summary>
    public ParameterValues Parameters { get; init; } = ParameterValues.Empty;

    /// <summary>Most alerts kept waiting; beyond, the oldest are dropped and counted.</summary>
    public int QueueSize { get; init; } = DefaultQueueSize;

    /// <summary>The filter, narrowed by what the endpoint type wants for this recipient (a script's run_on).</summary>
    public bool Accepts(Alert alert) =>
        Filter.Matches(alert) && (Endpoint.Type.Actions(Parameters)?.Contains(alert.Action) ?? true);
}

/// <summary>The endpoints and recipients of a config file.</summary>
public sealed record NotificationConfig(IReadOnlyList<EndpointConfig> Endpoints, IReadOnlyList<RecipientConfig> Recipients)
{
    public static NotificationConfig Empty { get; } = new([], []);

    public RecipientConfig? FindRecipient(string name) =>
        Recipients.FirstOrDefault(r => string.Equals(r.Name, name, StringComparison.Ordinal));
}
