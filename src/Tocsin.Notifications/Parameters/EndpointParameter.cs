using System.Globalization;
using System.Text.RegularExpressions;

namespace Tocsin.Notifications;

/// <summary>How a parameter is written in the config file.</summary>
public enum ParameterShape
{
    /// <summary>One value: <c>url: https://...</c>.</summary>
    Scalar,

    /// <summary>A list of values: <c>args: [--reason, tocsin]</c>.</summary>
    List,

    /// <summary>A mapping of names to values: <c>headers: {X-Team: netops}</c>.</summary>
    Map,
}

/// <summary>A parameter's value as the config file gives it, after <c>${VAR}</c> expansion.</summary>
public sealed class RawValue
{
    private RawValue(string? text, IReadOnlyList<string>? items, IReadOnlyList<KeyValuePair<string, string>>? entries)
    {
        Text = text;
        Items = items;
        Entries = entries;
    }

    public string? Text { get; }
    public IReadOnlyList<string>? Items { get; }
    public IReadOnlyList<KeyValuePair<string, string>>? Entries { get; }

    public static RawValue Scalar(string text) => new(text, null, null);
    public static RawValue List(IReadOnlyList<string> items) => new(null, items, null);
    public static RawValue Map(IReadOnlyList<KeyValuePair<string, string>> entries) => new(null, null, entries);

    /// <summary>Every piece of text in the value, so that a secret one can be kept out of error messages.</summary>
    public IEnumerable<string> AllText =>
        Text is not null ? [Text] : Items ?? Entries?.Select(e => e.Value) ?? [];
}

/// <summary>Where relative paths in a parameter are resolved from (the config file's directory).</summary>
public sealed record ParameterContext(string BaseDirectory);

/// <summary>
/// A typed, validated parameter of an endpoint type or of its recipients. An endpoint type declares its parameters
/// as <c>static readonly</c> fields and lists them; the config loader validates every one generically and reports
/// errors with file and line. A <see cref="Secret"/> parameter is shown as *** and never echoed in an error.
/// </summary>
public abstract class EndpointParameter(string name, string description)
{
    public const string Mask = "***";

    public string Name { get; } = name;

    public string Description { get; } = description;

    public bool Required { get; init; }

    /// <summary>Passwords, tokens, keys: masked in listings, kept out of errors, logs and delivery reasons.</summary>
    public bool Secret { get; init; }

    public abstract ParameterShape Shape { get; }

    /// <summary>Short type name for documentation ("url", "integer", "duration"...).</summary>
    public abstract string TypeName { get; }

    /// <summary>The value used when the parameter is absent (null: none).</summary>
    public abstract object? DefaultValue { get; }

    /// <summary>The default as it applies to a config file in <paramref name="context"/> (relative paths resolved).</summary>
    public virtual object? DefaultFor(ParameterContext context) => DefaultValue;

    /// <summary>Parses and validates; returns an error message (never containing a secret value), or null.</summary>
    public string? TryParse(RawValue raw, ParameterContext context, out object? value)
    {
        var error = ShapeOf(raw) == Shape ? Parse(raw, context, out value) : ShapeError(out value);
        if (error is not null && Secret)
        {
            foreach (var text in raw.AllText.Where(t => t.Length > 0).OrderByDescending(t => t.Length))
                error = error.Replace(text, Mask, StringComparison.Ordinal);
        }
        return error;
    }

    /// <summary>The value as listings show it: secrets masked, URLs without credentials, path or query.</summary>
    public string Display(object? value) => value is null ? "" : Secret ? MaskValue(value) : Format(value);

    /// <summary>The secret strings a value holds, for redaction of delivery reasons and logs.</summary>
    public virtual IEnumerable<string> SecretStrings(object? value) =>
        Secret && value is string s && s.Length > 0 ? [s] : [];

    protected abstract string? Parse(RawValue raw, ParameterContext context, out object? value);

    protected virtual string Format(object value) => Convert.ToString(value, CultureInfo.InvariantCulture) ?? "";

    protected virtual string MaskValue(object value) => Mask;

    private static ParameterShape ShapeOf(RawValue raw) =>
        raw.Text is not null ? ParameterShape.Scalar : raw.Items is not null ? ParameterShape.List : ParameterShape.Map;

    private string ShapeError(out object? value)
    {
        value = null;
        return Shape switch
        {
            ParameterShape.Scalar => "expected a single value",
            ParameterShape.List => "expected a list",
            _ => "expected a mapping of names to values",
        };
    }
}

/// <summary>A parameter whose parsed value is a <typeparamref name="T"/>.</summary>
public abstract class EndpointParameter<T>(string name, string description, T defaultValue) : EndpointParameter(name, description)
{
    public T Default { get; } = defaultValue;

    public override object? DefaultValue => Default;
}

/// <summary>A one-value parameter parsed from its text.</summary>
public abstract class ScalarParameter<T>(string name, string description, T defaultValue)
    : EndpointParameter<T>(name, description, defaultValue)
{
    public override ParameterShape Shape => ParameterShape.Scalar;

    protected abstract string? ParseText(string text, ParameterContext context, out T value);

    protected override string? Parse(RawValue raw, ParameterContext context, out object? value)
    {
        var error = ParseText(raw.Text!, context, out var typed);
        value = typed;
        return error;
    }
}

/// <summary>Free text, optionally restricted by a pattern.</summary>
public sealed class TextParameter(string name, string description, string? defaultValue = null)
    : ScalarParameter<string?>(name, description, defaultValue)
{
    /// <summary>Whole-value pattern the text must match, with <see cref="PatternHint"/> saying what it expects.</summary>
    public Regex? Pattern { get; init; }

    public string PatternHint { get; init; } = "";

    public int MaxLength { get; init; } = 4096;

    /// <summary>Further check of the text; returns an error message or null.</summary>
    public Func<string, string?>? Validator { get; init; }

    public override string TypeName => "text";

    protected override string? ParseText(string text, ParameterContext context, out string? value)
    {
        value = text;
        if (text.Length == 0)
            return "must not be empty";
        if (text.Length > MaxLength)
            return $"longer than {MaxLength} characters";
        if (Pattern is not null && !Pattern.IsMatch(text))
            return $"'{text}' is not {PatternHint}";
        return Validator?.Invoke(text);
    }
}

/// <summary>A whole number within bounds.</summary>
public sealed class IntegerParameter(string name, string description, int defaultValue, int min, int max)
    : ScalarParameter<int>(name, description, defaultValue)
{
    public int Min { get; } = min;
    public int Max { get; } = max;

    public override string TypeName => $"integer {Min}-{Max}";

    protected override string? ParseText(string text, ParameterContext context, out int value)
    {
        if (!int.TryParse(text, NumberStyles.AllowLeadingSign, CultureInfo.InvariantCulture, out value))
            return $"expected an integer, got '{text}'";
        return value < Min || value > Max ? $"must be between {Min} and {Max}, got {value}" : null;
    }
}

/// <summary>One of a fixed set of words.</summary>
public sealed class ChoiceParameter(string name, string description, string defaultValue, params string[] choices)
    : ScalarParameter<string>(name, description, defaultValue)
{
    public IReadOnlyList<string> Choices { get; } = choices;

    public override string TypeName => string.Join(" | ", Choices);

    protected override string? ParseText(string text, ParameterContext context, out string value)
    {
        value = Choices.FirstOrDefault(c => string.Equals(c, text, StringComparison.OrdinalIgnoreCase)) ?? "";
        return value.Length > 0 ? null : $"'{text}' is not one of: {string.Join(", ", Choices)}";
    }
}

/// <summary>
/// An absolute URL with one of the allowed schemes. Many services put the token in the path or the query
/// (hooks.slack.com/services/T…/B…/token, Discord's /api/webhooks/id/token): listings show scheme, host and port
/// only, and the path's and query's token-like parts count as secrets.
/// </summary>
public sealed class UrlParameter(string name, string description, params string[] schemes)
    : ScalarParameter<Uri?>(name, description, null)
{
    /// <summary>Query keys whose values are credentials whatever their length (matched within the key: api_key, access_token, X-Amz-Signature).</summary>
    private static readonly string[] SecretKeyWords = ["token", "key", "secret", "pass", "pwd", "sig", "auth", "code", "credential", "session"];

    public IReadOnlyList<string> Schemes { get; } = schemes;

    public override string TypeName => "url";

    protected override string? ParseText(string text, ParameterContext context, out Uri? value)
    {
        // The text is not quoted: an unparsable URL may still hold a token.
        if (!Uri.TryCreate(text, UriKind.Absolute, out value) || value.IsFile || string.IsNullOrEmpty(value.Host))
        {
            value = null;
            return $"not an absolute URL such as {Schemes[0]}://host/path";
        }
        if (!Schemes.Contains(value.Scheme, StringComparer.OrdinalIgnoreCase))
            return $"scheme must be {string.Join(" or ", Schemes)}, got '{value.Scheme}'";
        return null;
    }

    protected override string Format(object value) => Shown((Uri)value);

    protected override string MaskValue(object value) => Shown((Uri)value);

    /// <summary>"https://hooks.example.com:8443": scheme, host and port (when not the default), never credentials.</summary>
    public static string Origin(Uri uri) => $"{uri.Scheme}://{uri.Authority}";

    /// <summary>The origin, then /*** when anything follows it.</summary>
    private static string Shown(Uri uri) =>
        Origin(uri) + (uri.GetComponents(UriComponents.PathAndQuery | UriComponents.Fragment, UriFormat.UriEscaped) is "" or "/" ? "/" : "/" + Mask);

    /// <summary>
    /// Credentials, and the path's and query's tokens, as written and unescaped: secrets even when the URL is not. A
    /// token is a path segment or query value of <see cref="SecretRedactor.MinTokenLength"/> characters or more, or the
    /// value of a key named like a credential; shorter parts (api-version=1, /api/) are no secrets.
    /// </summary>
    public override IEnumerable<string> SecretStrings(object? value)
    {
        if (value is not Uri uri)
            return [];
        if (Secret)
            return [uri.OriginalString, uri.AbsoluteUri];
        var secrets = new List<string>();
        if (uri.UserInfo.Length > 0)
            secrets.Add(uri.UserInfo);
        secrets.AddRange(uri.AbsolutePath.Split('/').Where(segment => segment.Length >= SecretRedactor.MinTokenLength));
        foreach (var pair in uri.Query.TrimStart('?').Split('&', StringSplitOptions.RemoveEmptyEntries))
        {
            var eq = pair.IndexOf('=');
            if (eq < 0 || eq == pair.Length - 1)
                continue;
            var key = Uri.UnescapeDataString(pair[..eq]);
            var text = pair[(eq + 1)..];
            if (text.Length >= SecretRedactor.MinTokenLength || SecretKeyWords.Any(w => key.Contains(w, StringComparison.OrdinalIgnoreCase)))
                secrets.Add(text);
        }
        return secrets.Concat(secrets.Select(Uri.UnescapeDataString)).Distinct(StringComparer.Ordinal);
    }
}

/// <summary>A duration within bounds: 250ms, 5s, 2m, 1h.</summary>
public sealed class DurationParameter(string name, string description, TimeSpan defaultValue, TimeSpan min, TimeSpan max)
    : ScalarParameter<TimeSpan>(name, description, defaultValue)
{
    public override string TypeName => "duration";

    protected override string? ParseText(string text, ParameterContext context, out TimeSpan value)
    {
        if (!Durations.TryParse(text, out value, out var error))
            return error;
        if (value < min || value > max)
            return $"must be between {Durations.Format(min)} and {Durations.Format(max)}, got {Durations.Format(value)}";
        return null;
    }

    protected override string Format(object value) => Durations.Format((TimeSpan)value);
}

/// <summary>A request rate such as 20/s, 100/m or 1000/h; "none" for no limit.</summary>
public sealed class RateParameter(string name, string description, RateLimit? defaultValue)
    : ScalarParameter<RateLimit?>(name, description, defaultValue)
{
    public override string TypeName => "rate (N/s, N/m, N/h or none)";

    protected override string? ParseText(string text, ParameterContext context, out RateLimit? value)
    {
        value = null;
        if (string.Equals(text, "none", StringComparison.OrdinalIgnoreCase))
            return null;
        if (!RateLimit.TryParse(text, out var rate))
            return $"expected a rate such as 20/s, 100/m or 1000/h (or none), got '{text}'";
        value = rate;
        return null;
    }
}

/// <summary>A list of text values, each checked by an optional validator.</summary>
public sealed class TextListParameter(string name, string description, Func<string, string?>? validateItem = null)
    : EndpointParameter<IReadOnlyList<string>>(name, description, [])
{
    public override ParameterShape Shape => ParameterShape.List;

    public override string TypeName => "list";

    protected override string? Parse(RawValue raw, ParameterContext context, out object? value)
    {
        value = raw.Items;
        foreach (var item in raw.Items!)
        {
            if (validateItem?.Invoke(item) is { } error)
                return error;
        }
        return null;
    }

    protected override string Format(object value) => "[" + string.Join(", ", (IReadOnlyList<string>)value) + "]";

    public override IEnumerable<string> SecretStrings(object? value) =>
        Secret && value is IReadOnlyList<string> items ? items.Where(i => i.Length > 0) : [];
}

/// <summary>Names mapped to values (HTTP headers, environment variables). When secret, listings show the names only.</summary>
public sealed class MapParameter(string name, string description, Func<string, string?> validateName, Func<string, string?> validateValue)
    : EndpointParameter<IReadOnlyList<KeyValuePair<string, string>>>(name, description, [])
{
    public override ParameterShape Shape => ParameterShape.Map;

    public override string TypeName => "mapping";

    protected override string? Parse(RawValue raw, ParameterContext context, out object? value)
    {
        value = raw.Entries;
        foreach (var (key, text) in raw.Entries!)
        {
            if (validateName(key) is { } nameError)
                return $"{key}: {nameError}";
            if (validateValue(text) is { } valueError)
                return $"{key}: {valueError}";
        }
        return null;
    }

    protected override string Format(object value) =>
        "{" + string.Join(", ", ((IReadOnlyList<KeyValuePair<string, string>>)value).Select(e => $"{e.Key}: {e.Value}")) + "}";

    protected override string MaskValue(object value) =>
        "{" + string.Join(", ", ((IReadOnlyList<KeyValuePair<string, string>>)value).Select(e => $"{e.Key}: {Mask}")) + "}";

    public override IEnumerable<string> SecretStrings(object? value) =>
        Secret && value is IReadOnlyList<KeyValuePair<string, string>> entries ? entries.Select(e => e.Value).Where(v => v.Length > 0) : [];
}

/// <summary>An existing directory; a relative path is relative to the config file.</summary>
public sealed class DirectoryParameter(string name, string description, string defaultValue)
    : ScalarParameter<string>(name, description, defaultValue)
{
    public override string TypeName => "directory";

    public static string Resolve(string path, ParameterContext context) =>
        Path.GetFullPath(Path.IsPathRooted(path) ? path : Path.Combine(context.BaseDirectory, path));

    public override object? DefaultFor(ParameterContext context) => Resolve(Default, context);

    protected override string? ParseText(string text, ParameterContext context, out string value)
    {
        value = Resolve(text, context);
        return Directory.Exists(value) ? null : $"no such directory: {value}";
    }
}
