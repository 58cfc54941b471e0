using System.Diagnostics.CodeAnalysis;
using System.Reflection;
using Tocsin.Alerts;

namespace Tocsin.Checks;

/// <summary>
/// Every check this build has, found by scanning assemblies for concrete <see cref="Check"/> classes: adding a
/// check is adding its file. Each catalog holds fresh instances set to their defaults, so runs do not share settings.
/// </summary>
public sealed class CheckCatalog
{
    private readonly Dictionary<string, Check> byKey = new(StringComparer.OrdinalIgnoreCase);

    public CheckCatalog(IEnumerable<Check> checks)
    {
        foreach (var check in checks)
        {
            if (!byKey.TryAdd(check.Key, check))
                throw new InvalidOperationException($"check key '{check.Key}' is declared twice");
            check.ResetToDefaults();
        }
    }

    public IReadOnlyCollection<Check> All => byKey.Values;

    public IEnumerable<Check> Enabled => byKey.Values.Where(c => c.Enabled);

    public Check? Find(string key) => byKey.GetValueOrDefault(key);

    /// <summary>The checks of this assembly plus any in <paramref name="more"/> (e.g. the nDPI checks).</summary>
    public static CheckCatalog Discover(params Assembly[] more) =>
        new(new[] { typeof(CheckCatalog).Assembly }.Concat(more).Distinct().SelectMany(Instantiate));

    [UnconditionalSuppressMessage("Trimming", "IL2026", Justification = TrimRoots.Justification)]
    [UnconditionalSuppressMessage("Trimming", "IL2067", Justification = TrimRoots.Justification)]
    [UnconditionalSuppressMessage("Trimming", "IL2070", Justification = TrimRoots.Justification)]
    private static IEnumerable<Check> Instantiate(Assembly assembly) =>
        from type in assembly.GetTypes()
        where typeof(Check).IsAssignableFrom(type) && !type.IsAbstract && type.GetConstructor(Type.EmptyTypes) is not null
        orderby type.FullName
        select (Check)Activator.CreateInstance(type)!;
}
