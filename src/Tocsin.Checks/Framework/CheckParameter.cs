using System.Globalization;
using Tocsin.Decode;

namespace Tocsin.Checks;

/// <summary>
/// A typed, validated setting of a check. Declare one as a field of the check: the framework finds it, lists it in
/// `tocsin checks list`, and sets it from the config file (scalars as text, lists as sequences).
/// </summary>
public abstract class CheckParameter(string name, string description)
{
    public string Name { get; } = name;

    public string Description { get; } = description;

    /// <summary>Short type name for documentation ("integer", "threshold", "address list"...).</summary>
    public abstract string TypeName { get; }

    public abstract string DefaultText { get; }

    public abstract string ValueText { get; }

    public abstract bool IsList { get; }

    /// <summary>Values are file paths: the config resolves relative ones against its own folder.</summary>
    public virtual bool TakesPaths => false;

    /// <summary>Sets the value from config text; returns an error message, or null when accepted.</summary>
    public string? TrySet(string text) => Apply(text, commit: true);

    /// <summary>Checks config text without changing the value.</summary>
    public string? Validate(string text) => Apply(text, commit: false);

    /// <summary>Sets a list value from config items; returns an error message, or null when accepted.</summary>
    public string? TrySet(IReadOnlyList<string> items) => Apply(items, commit: true);

    public string? Validate(IReadOnlyList<string> items) => Apply(items, commit: false);

    protected abstract string? Apply(string text, bool commit);

    protected virtual string? Apply(IReadOnlyList<string> items, bool commit) => $"{Name} takes a single value, not a list";

    public abstract void ResetToDefault();
}

/// <summary>A whole number within bounds.</summary>
public sealed class CountParameter(string name, long defaultValue, string description, long min = 0, long max = long.MaxValue)
    : CheckParameter(name, description)
{
    public long Value { get; private set; } = defaultValue;
    public long Default { get; } = defaultValue;
    public override string TypeName => "integer";
    public override string DefaultText => Default.ToString(CultureInfo.InvariantCulture);
    public override string ValueText => Value.ToString(CultureInfo.InvariantCulture);
    public override bool IsList => false;

    protected override string? Apply(string text, bool commit)
    {
        if (!long.TryParse(text, NumberStyles.Integer, CultureInfo.InvariantCulture, out var v))
            return $"{Name} must be an integer, got '{text}'";
        if (v < min || v > max)
            return max == long.MaxValue ? $"{Name} must be at least {min}, got {v}" : $"{Name} must be between {min} and {max}, got {v}";
        if (commit)
            Value = v;
        return null;
    }

    public override void ResetToDefault() => Value = Default;
}

/// <summary>IP addresses and CIDR blocks.</summary>
public sealed class NetworkListParameter(string name, string description) : CheckParameter(name, description)
{
    public IReadOnlyList<IpNetwork> Value { get; private set; } = [];
    public override string TypeName => "address list";
    public override string DefaultText => "[]";
    public override string ValueText => "[" + string.Join(", ", Value) + "]";
    public override bool IsList => true;

    public bool Contains(IpAddr ip)
    {
        foreach (var n in Value)
        {
            if (n.Contains(ip))
                return true;
        }
        return false;
    }

    protected override string? Apply(string text, bool commit) => Apply([text], commit);

    protected override string? Apply(IReadOnlyList<string> items, bool commit)
    {
        var parsed = new List<IpNetwork>(items.Count);
        foreach (var item in items)
        {
            if (!IpNetwork.TryParse(item, out var n, out var error))
                return $"{Name}: {error}";
            parsed.Add(n);
        }
        if (commit)
            Value = parsed;
        return null;
    }

    public override void ResetToDefault() => Value = [];
}

public enum ThresholdOperator
{
    Gt,
    Lt,
}

/// <summary>"gt 10M" / "lt 500": an operator and a bound, with optional K/M/G/T (×1000) or Ki/Mi/Gi/Ti (×1024) suffixes.</summary>
public readonly record struct Threshold(ThresholdOperator Operator, long Value)
{
    public bool IsCrossedBy(long value) => Operator == ThresholdOperator.Gt ? value > Value : value < Value;

    public string OperatorName => Operator == ThresholdOperator.Gt ? "gt" : "lt";

    public string OperatorSymbol => Operator == ThresholdOperator.Gt ? ">" : "<";

    public override string ToString() => $"{OperatorName} {Value.ToString(CultureInfo.InvariantCulture)}";

    public static bool TryParse(string text, out Threshold threshold, out string? error)
    {
        threshold = default;
        var parts = text.Split(' ', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries);
        if (parts.Length != 2)
        {
            error = $"expected '<gt|lt> <number>', got '{text}'";
            return false;
        }
        ThresholdOperator op;
        switch (parts[0].ToLowerInvariant())
        {
            case "gt" or ">":
                op = ThresholdOperator.Gt;
                break;
            case "lt" or "<":
                op = ThresholdOperator.Lt;
                break;
            default:
                error = $"operator must be gt or lt, got '{parts[0]}'";
                return false;
        }
        if (!TryParseQuantity(parts[1], out long value))
        {
            error = $"'{parts[1]}' is not a number (suffixes K, M, G, T, Ki, Mi, Gi, Ti allowed)";
            return false;
        }
        threshold = new Threshold(op, value);
        error = null;
        return true;
    }

    public static bool TryParseQuantity(string text, out long value)
    {
        value = 0;
        var t = text.Trim();
        if (t.EndsWith('B') || t.EndsWith('b'))
            t = t[..^1];
        long multiplier = 1;
        (string Suffix, long Factor)[] suffixes =
        [
            ("Ki", 1L << 10), ("Mi", 1L << 20), ("Gi", 1L << 30), ("Ti", 1L << 40),
            ("K", 1_000), ("M", 1_000_000), ("G", 1_000_000_000), ("T", 1_000_000_000_000),
        ];
        foreach (var (suffix, factor) in suffixes)
        {
            if (t.EndsWith(suffix, StringComparison.OrdinalIgnoreCase))
            {
                multiplier = factor;
                t = t[..^suffix.Length];
                break;
            }
        }
        if (!decimal.TryParse(t, NumberStyles.Number, CultureInfo.InvariantCulture, out var number) || number < 0)
            return false;
        var scaled = number * multiplier;
        if (scaled > long.MaxValue)
            return false;
        value = (long)decimal.Round(scaled);
        return true;
    }
}

/// <summary>An optional threshold: unset means "not evaluated".</summary>
public sealed class ThresholdParameter(string name, string description) : CheckParameter(name, description)
{
    public Threshold? Value { get; private set; }
    public override string TypeName => "threshold";
    public override string DefaultText => "unset";
    public override string ValueText => Value?.ToString() ?? "unset";
    public override bool IsList => false;

    protected override string? Apply(string text, bool commit)
    {
        if (!Threshold.TryParse(text, out var t, out var error))
            return $"{Name}: {error}";
        if (commit)
            Value = t;
        return null;
    }

    public override void ResetToDefault() => Value = null;
}
