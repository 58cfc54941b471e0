using System.Diagnostics.CodeAnalysis;
using System.Reflection;
using Tocsin.Alerts;

namespace Tocsin.Notifications;

/// <summary>
/// Every endpoint type, found by scanning assemblies for concrete <see cref="EndpointType"/> classes: adding a type
/// is adding its file, never editing a list or a switch.
/// </summary>
public sealed class EndpointRegistry
{
    private readonly Dictionary<string, EndpointType> byKey = new(StringComparer.OrdinalIgnoreCase);

    public EndpointRegistry(IEnumerable<EndpointType> types)
    {
        foreach (var type in types)
        {
            if (!byKey.TryAdd(type.Key, type))
                throw new InvalidOperationException($"endpoint type '{type.Key}' is declared twice");
        }
    }

    /// <summary>The types built into Tocsin.</summary>
    public static EndpointRegistry BuiltIn { get; } = Discover();

    public IReadOnlyCollection<EndpointType> All => byKey.Values;

    public EndpointType? Find(string key) => byKey.GetValueOrDefault(key);

    /// <summary>The types of this assembly plus any in <paramref name="more"/>.</summary>
    public static EndpointRegistry Discover(params Assembly[] more) =>
        new(new[] { typeof(EndpointRegistry).Assembly }.Concat(more).Distinct().SelectMany(Instantiate).OrderBy(t => t.Key, StringComparer.Ordinal));

    [UnconditionalSuppressMessage("Trimming", "IL2026", Justification = TrimRoots.Justification)]
    [UnconditionalSuppressMessage("Trimming", "IL2067", Justification = TrimRoots.Justification)]
    [UnconditionalSuppressMessage("Trimming", "IL2070", Justification = TrimRoots.Justification)]
    private static IEnumerable<EndpointType> Instantiate(Assembly assembly) =>
        from type in assembly.GetTypes()
        where typeof(EndpointType).IsAssignableFrom(type) && !type.IsAbstract && type.GetConstructor(Type.EmptyTypes) is not null
        select (EndpointType)Activator.CreateInstance(type)!;
}
