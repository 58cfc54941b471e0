using System.Diagnostics.CodeAnalysis;
using System.Reflection;

namespace Tocsin.Alerts;

/// <summary>
/// Every alert type this build can raise, found by scanning assemblies for <c>public static readonly AlertType</c>
/// fields: adding a type is declaring it, never editing a list here.
/// </summary>
public sealed class AlertTypeCatalog
{
    private readonly Dictionary<(AlertTypeSpace, int), AlertType> byId = [];
    private readonly Dictionary<string, AlertType> byName = new(StringComparer.OrdinalIgnoreCase);

    public AlertTypeCatalog(IEnumerable<AlertType> types)
    {
        foreach (var t in types)
        {
            if (byId.TryGetValue((t.Space, t.Id), out var existing))
            {
                if (ReferenceEquals(existing, t))
                    continue;
                throw new InvalidOperationException($"alert id {t.Id} declared twice: {existing.FullName} and {t.FullName}");
            }
            byId.Add((t.Space, t.Id), t);
            if (!byName.TryAdd(t.FullName, t))
                throw new InvalidOperationException($"alert name {t.FullName} declared twice");
        }
    }

    public IReadOnlyCollection<AlertType> All => byId.Values;

    public static AlertTypeCatalog Discover(params Assembly[] assemblies) =>
        new(assemblies.Distinct().SelectMany(FindDeclared));

    [UnconditionalSuppressMessage("Trimming", "IL2026", Justification = TrimRoots.Justification)]
    [UnconditionalSuppressMessage("Trimming", "IL2070", Justification = TrimRoots.Justification)]
    public static IEnumerable<AlertType> FindDeclared(Assembly assembly) =>
        from type in assembly.GetTypes()
        from field in type.GetFields(BindingFlags.Public | BindingFlags.Static | BindingFlags.DeclaredOnly)
        where field.FieldType == typeof(AlertType) && field.IsInitOnly
        let value = (AlertType?)field.GetValue(null)
        where value is not null
        select value;

    public AlertType? Find(AlertTypeSpace space, int id) => byId.GetValueOrDefault((space, id));

    /// <summary>Finds by full name (flow_alert_x, host_alert_x, alert_x) or, when unambiguous, by short name.</summary>
    public AlertType? Find(string name)
    {
        if (byName.TryGetValue(name, out var t))
            return t;
        AlertType? found = null;
        foreach (var candidate in byId.Values)
        {
            if (!string.Equals(candidate.Name, name, StringComparison.OrdinalIgnoreCase))
                continue;
            if (found is not null)
                return null;
            found = candidate;
        }
        return found;
    }

    /// <summary>The type for a stored (entity, id) pair, or a placeholder when this build lacks it.</summary>
    public AlertType Resolve(AlertEntity entity, int id, string name)
    {
        var space = AlertType.SpaceOf(entity);
        return Find(space, id) ?? AlertType.Unknown(space, id, name);
    }
}
