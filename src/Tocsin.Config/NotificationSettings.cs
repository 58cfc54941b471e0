using System.Text;
using System.Text.RegularExpressions;
using Tocsin.Alerts;
using Tocsin.Checks;
using Tocsin.Notifications;
using YamlDotNet.RepresentationModel;

namespace Tocsin.Config;

/// <summary>
/// The <c>endpoints:</c> and <c>recipients:</c> sections. An endpoint names its <c>type</c> and gives that type's
/// parameters plus the delivery tuning every type has; a recipient names its endpoint, its filter, its queue size and
/// the type's recipient parameters. Parameters are validated generically from their declarations (with the type's
/// own cross-checks); values may use <c>${ENV_VAR}</c>, and secret ones never appear in an error.
/// </summary>
internal static partial class NotificationSettings
{
    private static readonly string[] RecipientKeys =
        ["endpoint", "min_severity", "categories", "entities", "alert_types", "actions", "silence_duplicates", "queue_size"];

    private const int MaxQueueSize = 10_000_000;

    public static NotificationConfig Read(YamlReader reader, YamlEntry? endpointsEntry, YamlEntry? recipientsEntry, string baseDirectory,
        CheckCatalog checks)
    {
        var context = new ParameterContext(baseDirectory);
        var endpoints = new Dictionary<string, EndpointConfig>(StringComparer.Ordinal);
        var broken = new HashSet<string>(StringComparer.Ordinal);
        if (endpointsEntry is { } e)
        {
            foreach (var (name, keyNode, value, path) in reader.Entries(e.Value, e.Path, allowed: null))
            {
                if (ReadEndpoint(reader, name, keyNode, value, path, context) is { } endpoint)
                    endpoints.Add(name, endpoint);
                else
                    broken.Add(name);
            }
        }
        var recipients = new List<RecipientConfig>();
        if (recipientsEntry is { } r)
        {
            var catalog = AlertTypeCatalog.Discover([.. checks.All.Select(c => c.GetType().Assembly), typeof(SystemAlerts).Assembly]);
            foreach (var (name, keyNode, value, path) in reader.Entries(r.Value, r.Path, allowed: null))
            {
                if (ReadRecipient(reader, name, keyNode, value, path, endpoints, broken, catalog, context) is { } recipient)
                    recipients.Add(recipient);
            }
        }
        return new NotificationConfig([.. endpoints.Values], recipients);
    }

    private static EndpointConfig? ReadEndpoint(YamlReader reader, string name, YamlNode keyNode, YamlNode node, string path, ParameterContext context)
    {
        bool valid = CheckName(reader, keyNode, path, name, "endpoint");
        if (node is not YamlMappingNode map)
        {
            reader.Error(node, path, "expected the endpoint's settings (type and parameters)");
            return null;
        }
        var typeNode = map.Children.FirstOrDefault(kv => kv.Key is YamlScalarNode { Value: "type" }).Value;
        if (typeNode is null)
        {
            reader.Error(keyNode, YamlReader.Join(path, "type"), $"required ({TypeList()})");
            return null;
        }
        var typeName = reader.Scalar(typeNode, YamlReader.Join(path, "type"));
        if (typeName is null)
            return null;
        var type = EndpointRegistry.BuiltIn.Find(typeName);
        if (type is null)
        {
            reader.Error(typeNode, YamlReader.Join(path, "type"), $"unknown endpoint type '{typeName}' ({TypeList()})");
            return null;
        }
        var parameters = type.EndpointParameters.Concat(type.DeliveryParameters).ToList();
        var values = ReadParameters(reader, map, path, parameters, ["type"], reportUnknown: true, keyNode, context, ref valid);
        if (values is null)
            return null;
        foreach (var problem in type.Validate(values))
        {
            Report(reader, map, path, keyNode, problem);
            valid = false;
        }
        var delivery = type.DeliverySettings(values);
        if (delivery.RetryInitial > delivery.RetryMax)
        {
            Report(reader, map, path, keyNode, new ParameterProblem("retry_initial", "must not be longer than retry_max"));
            valid = false;
        }
        return valid ? new EndpointConfig(name, type, values, delivery) : null;
    }

    private static RecipientConfig? ReadRecipient(YamlReader reader, string name, YamlNode keyNode, YamlNode node, string path,
        Dictionary<string, EndpointConfig> endpoints, HashSet<string> broken, AlertTypeCatalog catalog, ParameterContext context)
    {
        bool valid = CheckName(reader, keyNode, path, name, "recipient");
        if (node is not YamlMappingNode map)
        {
            reader.Error(node, path, "expected the recipient's settings (endpoint, filter, parameters)");
            return null;
        }
        var endpointNode = map.Children.FirstOrDefault(kv => kv.Key is YamlScalarNode { Value: "endpoint" }).Value;
        EndpointConfig? endpoint = null;
        if (endpointNode is null)
        {
            reader.Error(keyNode, YamlReader.Join(path, "endpoint"), "required: the name of an endpoint");
            valid = false;
        }
        else if (reader.Scalar(endpointNode, YamlReader.Join(path, "endpoint")) is { } endpointName)
        {
            if (!endpoints.TryGetValue(endpointName, out endpoint) && !broken.Contains(endpointName))
            {
                var known = endpoints.Keys.Concat(broken).Order(StringComparer.Ordinal).ToList();
                reader.Error(endpointNode, YamlReader.Join(path, "endpoint"),
                    $"unknown endpoint '{endpointName}' ({(known.Count == 0 ? "no endpoints are defined" : "defined: " + string.Join(", ", known))})");
            }
            valid &= endpoint is not null;
        }
        else
        {
            valid = false;
        }

        var filter = new RecipientFilter();
        int queueSize = RecipientConfig.DefaultQueueSize;
        var typeParameters = endpoint?.Type.RecipientParameters ?? [];
        var typeKeys = typeParameters.Select(p => p.Name).ToHashSet(StringComparer.Ordinal);
        // Without a valid endpoint the type's own keys are unknown: check the common ones and leave the rest.
        var allowed = endpoint is null ? null : RecipientKeys.Concat(typeKeys).ToArray();
        foreach (var (key, _, value, p) in reader.Entries(map, path, allowed))
        {
            switch (key)
            {
                case "endpoint":
                    break;
                case "min_severity":
                    if (reader.Scalar(value, p) is { } text)
                    {
                        if (Scores.TryParse(text, out var severity))
                            filter = filter with { MinSeverity = severity };
                        else
                            Fail(value, p, $"unknown severity '{text}' (none, debug, info, notice, warning, error, critical, alert, emergency)");
                    }
                    break;
                case "categories":
                    filter = filter with { Categories = Set<AlertCategory>(reader, value, p, ref valid, AlertNames.TryParseCategory,
                        "unknown category '{0}' (" + string.Join(", ", Enum.GetValues<AlertCategory>().Select(c => c.Name())) + ")") };
                    break;
                case "entities":
                    filter = filter with { Entities = Set<AlertEntity>(reader, value, p, ref valid, AlertNames.TryParseEntity,
                        "unknown entity '{0}' (" + string.Join(", ", Enum.GetValues<AlertEntity>().Select(c => c.Name())) + ")") };
                    break;
                case "alert_types":
                    filter = filter with { AlertTypes = AlertTypes(reader, value, p, catalog, ref valid) };
                    break;
                case "actions":
                    var actions = Set<AlertAction>(reader, value, p, ref valid, TryParseAction, "unknown action '{0}' (engage, release, store)");
                    if (actions is { Count: 0 })
                        Fail(value, p, "give at least one action (engage, release, store)");
                    else if (actions is not null)
                        filter = filter with { Actions = actions };
                    break;
                case "silence_duplicates":
                    if (reader.Scalar(value, p) is { } window)
                    {
                        if (window.Equals("off", StringComparison.OrdinalIgnoreCase) || window.Equals("none", StringComparison.OrdinalIgnoreCase))
                            filter = filter with { SilenceDuplicates = TimeSpan.Zero };
                        else if (Durations.TryParse(window, out var d, out _) && d >= TimeSpan.Zero && d <= TimeSpan.FromDays(30))
                            filter = filter with { SilenceDuplicates = d };
                        else
                            Fail(value, p, $"expected a duration up to 30d such as 10m or 1h (or off), got '{window}'");
                    }
                    break;
                case "queue_size":
                    if (reader.Integer(value, p, 1, MaxQueueSize) is { } size)
                        queueSize = (int)size;
                    else
                        valid = false;
                    break;
            }
        }
        if (endpoint is null)
            return null;
        var values = ReadParameters(reader, map, path, typeParameters, RecipientKeys, reportUnknown: false, keyNode, context, ref valid);
        if (values is null)
            return null;
        foreach (var problem in endpoint.Type.ValidateRecipient(endpoint.Parameters, values))
        {
            Report(reader, map, path, keyNode, problem);
            valid = false;
        }
        return valid
            ? new RecipientConfig { Name = name, Endpoint = endpoint, Filter = filter, Parameters = values, QueueSize = queueSize }
            : null;

        void Fail(YamlNode at, string atPath, string message)
        {
            reader.Error(at, atPath, message);
            valid = false;
        }
    }

    /// <summary>
    /// Reads the declared parameters of a mapping; keys in <paramref name="skip"/> are read elsewhere, and other keys are
    /// reported as unknown when <paramref name="reportUnknown"/> (else a previous pass did).
    /// </summary>
    private static ParameterValues? ReadParameters(YamlReader reader, YamlMappingNode map, string path, IReadOnlyList<EndpointParameter> parameters,
        IReadOnlyCollection<string> skip, bool reportUnknown, YamlNode keyNode, ParameterContext context, ref bool valid)
    {
        var byName = parameters.ToDictionary(p => p.Name, StringComparer.Ordinal);
        var given = new Dictionary<EndpointParameter, object?>();
        foreach (var (key, _, value, p) in reader.Entries(map, path, reportUnknown ? [.. skip, .. byName.Keys] : null))
        {
            if (skip.Contains(key) || !byName.ContainsKey(key))
                continue;
            var parameter = byName[key];
            var raw = ReadRaw(reader, value, p, parameter.Shape);
            if (raw is null)
            {
                valid = false;
                continue;
            }
            if (parameter.TryParse(raw, context, out var parsed) is { } error)
            {
                reader.Error(value, p, error);
                valid = false;
            }
            else
            {
                given[parameter] = parsed;
            }
        }
        foreach (var missing in parameters.Where(p => p.Required && !map.Children.Keys.OfType<YamlScalarNode>().Any(k => k.Value == p.Name)))
        {
            reader.Error(keyNode, YamlReader.Join(path, missing.Name), $"required: {missing.Description}");
            valid = false;
        }
        return valid ? new ParameterValues(parameters, given, context) : null;
    }

    /// <summary>A parameter's YAML value in its declared shape, with <c>${VAR}</c> expanded; null after reporting an error.</summary>
    private static RawValue? ReadRaw(YamlReader reader, YamlNode node, string path, ParameterShape shape)
    {
        switch (shape)
        {
            case ParameterShape.Scalar:
                return reader.Scalar(node, path) is { } text && Expand(reader, node, path, text) is { } expanded ? RawValue.Scalar(expanded) : null;
            case ParameterShape.List:
                if (reader.List(node, path) is not { } items)
                    return null;
                var list = new List<string>();
                foreach (var (item, itemNode) in items)
                {
                    if (Expand(reader, itemNode, path, item) is not { } value)
                        return null;
                    list.Add(value);
                }
                return RawValue.List(list);
            default:
                if (node is not YamlMappingNode)
                {
                    // Not quoted: a mapping's values may be secrets (headers, env), and so may what was given instead.
                    reader.Error(node, path, $"expected a mapping of names to values, got {(node is YamlScalarNode ? "a single value" : YamlReader.Describe(node))}");
                    return null;
                }
                var entries = new List<KeyValuePair<string, string>>();
                foreach (var (key, _, value, p) in reader.Entries(node, path, allowed: null))
                {
                    if (reader.Scalar(value, p) is not { } entryText || Expand(reader, value, p, entryText) is not { } entryValue)
                        return null;
                    entries.Add(KeyValuePair.Create(key, entryValue));
                }
                return RawValue.Map(entries);
        }
    }

    /// <summary>Replaces <c>${NAME}</c> with the environment variable's value (<c>$${</c> writes a literal <c>${</c>).</summary>
    internal static string? Expand(YamlReader reader, YamlNode node, string path, string text)
    {
        if (!text.Contains("${", StringComparison.Ordinal))
            return text;
        var sb = new StringBuilder(text.Length);
        int i = 0;
        while (i < text.Length)
        {
            if (text.AsSpan(i).StartsWith("$${"))
            {
                sb.Append("${");
                i += 3;
                continue;
            }
            if (!text.AsSpan(i).StartsWith("${"))
            {
                sb.Append(text[i++]);
                continue;
            }
            int end = text.IndexOf('}', i + 2);
            var name = end < 0 ? "" : text[(i + 2)..end];
            if (!EnvName().IsMatch(name))
            {
                reader.Error(node, path, "write environment variables as ${NAME} (letters, digits and _), or $${ for a literal ${");
                return null;
            }
            var value = Environment.GetEnvironmentVariable(name);
            if (value is null)
            {
                reader.Error(node, path, $"environment variable {name} is not set");
                return null;
            }
            sb.Append(value);
            i = end + 1;
        }
        return sb.ToString();
    }

    private static IReadOnlySet<T>? Set<T>(YamlReader reader, YamlNode node, string path, ref bool valid, TryParse<T> parse, string unknown)
    {
        if (reader.List(node, path) is not { } items)
        {
            valid = false;
            return null;
        }
        var set = new HashSet<T>();
        bool allKnown = true;
        foreach (var (text, item) in items)
        {
            if (parse(text, out var value))
            {
                set.Add(value);
            }
            else
            {
                reader.Error(item, path, string.Format(System.Globalization.CultureInfo.InvariantCulture, unknown, text));
                allKnown = false;
            }
        }
        valid &= allKnown;
        return allKnown ? set : null;
    }

    private delegate bool TryParse<T>(string text, out T value);

    private static IReadOnlySet<(AlertTypeSpace, int)>? AlertTypes(YamlReader reader, YamlNode node, string path, AlertTypeCatalog catalog, ref bool valid)
    {
        if (reader.List(node, path) is not { } items)
        {
            valid = false;
            return null;
        }
        var set = new HashSet<(AlertTypeSpace, int)>();
        foreach (var (text, item) in items)
        {
            var sameName = catalog.All.Where(t => string.Equals(t.Name, text, StringComparison.OrdinalIgnoreCase)).ToList();
            if (catalog.Find(text) is { } type)
            {
                set.Add((type.Space, type.Id));
            }
            else
            {
                reader.Error(item, path, sameName.Count > 1
                    ? $"'{text}' is ambiguous: give {string.Join(" or ", sameName.Select(t => t.FullName))}"
                    : $"unknown alert type '{text}' (give a name such as syn_scan or flow_alert_tcp_connection_refused; see `tocsin checks list`)");
                valid = false;
            }
        }
        return set;
    }

    private static bool TryParseAction(string text, out AlertAction action) =>
        Enum.TryParse(text, ignoreCase: true, out action) && Enum.IsDefined(action) && !int.TryParse(text, out _);

    private static bool CheckName(YamlReader reader, YamlNode keyNode, string path, string name, string what)
    {
        if (ObjectName().IsMatch(name))
            return true;
        reader.Error(keyNode, path, $"{what} names use letters, digits, '.', '_' and '-' (at most 64)");
        return false;
    }

    /// <summary>Locates a cross-parameter problem at its parameter's value when given, else at the entry's name.</summary>
    private static void Report(YamlReader reader, YamlMappingNode map, string path, YamlNode keyNode, ParameterProblem problem)
    {
        var node = map.Children.FirstOrDefault(kv => kv.Key is YamlScalarNode { Value: var k } && k == problem.Parameter).Value ?? keyNode;
        reader.Error(node, problem.Parameter.Length > 0 ? YamlReader.Join(path, problem.Parameter) : path, problem.Message);
    }

    private static string TypeList() => string.Join(", ", EndpointRegistry.BuiltIn.All.Select(t => t.Key));

    [GeneratedRegex("^[A-Za-z0-9._-]{1,64}$")]
    private static partial Regex ObjectName();

    [GeneratedRegex("^[A-Za-z_][A-Za-z0-9_]*$")]
    private static partial Regex EnvName();
}
