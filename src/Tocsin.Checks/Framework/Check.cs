using System.Diagnostics.CodeAnalysis;
using System.Reflection;
using Tocsin.Alerts;
using Tocsin.Decode;

namespace Tocsin.Checks;

/// <summary>What a check looks at.</summary>
public enum CheckEntity
{
    Flow,
    Host,
    Interface,
    Network,
}

/// <summary>
/// Base of every check. A check is one small class in one file: it declares its key, the alert type it raises
/// (whose category and score are its defaults), whether it is on by default, and its parameters as
/// <see cref="CheckParameter"/> fields. <see cref="CheckCatalog"/> discovers it; the config file tunes it.
/// </summary>
public abstract class Check
{
    private IReadOnlyList<CheckParameter>? parameters;
    private int? score;

    protected Check()
    {
        Exclude = new NetworkListParameter("exclude", "IP addresses or CIDR blocks this check ignores");
    }

    /// <summary>ntopng's check key, e.g. "syn_scan".</summary>
    public abstract string Key { get; }

    public abstract string Title { get; }

    public abstract string Description { get; }

    public abstract CheckEntity Entity { get; }

    /// <summary>The alert type this check raises.</summary>
    public abstract AlertType AlertType { get; }

    public virtual AlertCategory Category => AlertType.Category;

    public virtual bool EnabledByDefault => false;

    public bool Enabled { get; set; }

    /// <summary>Score given to the alerts raised (the alert type's default unless configured).</summary>
    public int Score
    {
        get => score ?? AlertType.DefaultScore;
        set => score = value;
    }

    public Severity Severity => Scores.ToSeverity(Score);

    public NetworkListParameter Exclude { get; }

    /// <summary>Every parameter of the check, in declaration order, the exclusion list last.</summary>
    public IReadOnlyList<CheckParameter> Parameters => parameters ??= FindParameters();

    public CheckParameter? FindParameter(string name) =>
        Parameters.FirstOrDefault(p => string.Equals(p.Name, name, StringComparison.OrdinalIgnoreCase));

    public bool Excludes(IpAddr ip) => Exclude.Value.Count > 0 && Exclude.Contains(ip);

    /// <summary>Back to the built-in defaults (enabled state, score and every parameter).</summary>
    public void ResetToDefaults()
    {
        Enabled = EnabledByDefault;
        score = null;
        foreach (var p in Parameters)
            p.ResetToDefault();
    }

    [UnconditionalSuppressMessage("Trimming", "IL2075", Justification = TrimRoots.Justification)]
    private List<CheckParameter> FindParameters()
    {
        var found = new List<CheckParameter>();
        var chain = new Stack<Type>();
        for (var t = GetType(); t is not null && t != typeof(Check); t = t.BaseType)
            chain.Push(t);
        foreach (var type in chain)
        {
            // In declaration order, as both runtimes list fields (MetadataToken, which would say so, does not exist
            // in the ahead-of-time build); NativeBuildTests compare `checks list` between the two builds.
            var fields = type.GetFields(BindingFlags.Instance | BindingFlags.Public | BindingFlags.NonPublic | BindingFlags.DeclaredOnly)
                .Where(f => typeof(CheckParameter).IsAssignableFrom(f.FieldType));
            foreach (var field in fields)
            {
                if (field.GetValue(this) is CheckParameter p)
                    found.Add(p);
            }
        }
        found.Add(Exclude);
        return found;
    }
}
