namespace Tocsin.Notifications;

/// <summary>The values of an endpoint's or a recipient's parameters: those given in the config, defaults for the rest.</summary>
public sealed class ParameterValues
{
    private readonly Dictionary<EndpointParameter, object?> values = [];
    private readonly HashSet<EndpointParameter> given = [];

    /// <param name="parameters">Every parameter that applies.</param>
    /// <param name="explicitValues">The parsed values the config gave.</param>
    public ParameterValues(IEnumerable<EndpointParameter> parameters, IReadOnlyDictionary<EndpointParameter, object?> explicitValues,
        ParameterContext context)
    {
        foreach (var p in parameters)
        {
            if (explicitValues.TryGetValue(p, out var v))
            {
                values[p] = v;
                given.Add(p);
            }
            else
            {
                values[p] = p.DefaultFor(context);
            }
        }
    }

    public static ParameterValues Empty { get; } = new([], new Dictionary<EndpointParameter, object?>(), new ParameterContext("."));

    public T Get<T>(EndpointParameter<T> parameter) =>
        values.TryGetValue(parameter, out var v) ? (T)v! : parameter.Default;

    /// <summary>True when the config file gave the parameter (rather than its default applying).</summary>
    public bool IsGiven(EndpointParameter parameter) => given.Contains(parameter);

    /// <summary>Every secret string held (passwords, tokens, credentials inside URLs).</summary>
    public IEnumerable<string> Secrets => values.SelectMany(kv => kv.Key.SecretStrings(kv.Value));

    /// <summary>name → display text (secrets masked) of the parameters given in the config.</summary>
    public IReadOnlyList<KeyValuePair<string, string>> Display() =>
        [.. values.Where(kv => given.Contains(kv.Key)).Select(kv => KeyValuePair.Create(kv.Key.Name, kv.Key.Display(kv.Value)))];
}
