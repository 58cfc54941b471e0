using System.Globalization;
using YamlDotNet.Core;
using YamlDotNet.RepresentationModel;

namespace Tocsin.Config;

/// <summary>One key of a mapping, with its value and dotted path.</summary>
internal readonly record struct YamlEntry(string Key, YamlNode KeyNode, YamlNode Value, string Path);

/// <summary>
/// Walks a parsed YAML document with the path and position of every node, collecting errors instead of stopping
/// at the first one. Unknown keys and wrong types are errors: a typo must not silently disable a setting.
/// </summary>
internal sealed class YamlReader(string file)
{
    private readonly List<ConfigError> errors = [];

    public IReadOnlyList<ConfigError> Errors => errors;

    public string File { get; } = file;

    public void Error(YamlNode node, string path, string message) =>
        errors.Add(new ConfigError(File, (int)node.Start.Line, (int)node.Start.Column, path, message));

    public void Error(Mark mark, string path, string message) =>
        errors.Add(new ConfigError(File, (int)mark.Line, (int)mark.Column, path, message));

    public static string Join(string path, string key) => path.Length == 0 ? key : path + "." + key;

    /// <summary>
    /// Iterates a mapping's entries, rejecting keys not in <paramref name="allowed"/> (null allows any). Duplicate
    /// keys never get here: the YAML parser rejects them with their position.
    /// </summary>
    public IEnumerable<YamlEntry> Entries(YamlNode node, string path, IReadOnlyCollection<string>? allowed)
    {
        if (node is not YamlMappingNode map)
        {
            if (!IsNull(node))
                Error(node, path, $"expected a mapping of keys, got {Describe(node)}");
            yield break;
        }
        foreach (var (keyNode, value) in map.Children)
        {
            if (keyNode is not YamlScalarNode { Value: { } key })
            {
                Error(keyNode, path, "keys must be plain text");
                continue;
            }
            var childPath = Join(path, key);
            if (allowed is not null && !allowed.Contains(key))
            {
                Error(keyNode, childPath, $"unknown key (expected one of: {string.Join(", ", allowed)})");
                continue;
            }
            yield return new YamlEntry(key, keyNode, value, childPath);
        }
    }

    public static bool IsNull(YamlNode node) =>
        node is YamlScalarNode { Style: ScalarStyle.Plain, Value: null or "" or "~" or "null" };

    public string? Scalar(YamlNode node, string path)
    {
        if (node is YamlScalarNode s && s.Value is not null)
            return s.Value;
        Error(node, path, $"expected a single value, got {Describe(node)}");
        return null;
    }

    public bool? Bool(YamlNode node, string path)
    {
        var text = Scalar(node, path);
        switch (text?.ToLowerInvariant())
        {
            case null:
                return null;
            case "true" or "yes" or "on":
                return true;
            case "false" or "no" or "off":
                return false;
            default:
                Error(node, path, $"expected true or false, got '{text}'");
                return null;
        }
    }

    public long? Integer(YamlNode node, string path, long min = long.MinValue, long max = long.MaxValue)
    {
        var text = Scalar(node, path);
        if (text is null)
            return null;
        if (!long.TryParse(text, NumberStyles.Integer, CultureInfo.InvariantCulture, out var v))
        {
            Error(node, path, $"expected an integer, got '{text}'");
            return null;
        }
        if (v < min || v > max)
        {
            Error(node, path, max == long.MaxValue ? $"must be at least {min}, got {v}" : $"must be between {min} and {max}, got {v}");
            return null;
        }
        return v;
    }

    /// <summary>A duration: a number of seconds, or a number with ms, s, m, h or d.</summary>
    public TimeSpan? Duration(YamlNode node, string path)
    {
        var text = Scalar(node, path);
        if (text is null)
            return null;
        if (Notifications.Durations.TryParse(text, out var d, out var error))
            return d;
        Error(node, path, error);
        return null;
    }

    /// <summary>A list of scalars; a single scalar is accepted as a one-item list.</summary>
    public List<(string Value, YamlNode Node)>? List(YamlNode node, string path)
    {
        switch (node)
        {
            case YamlSequenceNode seq:
                var items = new List<(string, YamlNode)>();
                foreach (var item in seq.Children)
                {
                    if (item is YamlScalarNode { Value: { } v })
                        items.Add((v, item));
                    else
                        Error(item, path, $"list items must be single values, got {Describe(item)}");
                }
                return items;
            case YamlScalarNode { Value: { } single } when !IsNull(node):
                return [(single, node)];
            default:
                if (IsNull(node))
                    return [];
                Error(node, path, $"expected a list, got {Describe(node)}");
                return null;
        }
    }

    public static string Describe(YamlNode node) => node switch
    {
        YamlMappingNode => "a mapping",
        YamlSequenceNode => "a list",
        YamlScalarNode s => $"'{s.Value}'",
        _ => "an unsupported node",
    };
}
