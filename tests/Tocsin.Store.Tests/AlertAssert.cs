using System.Collections;
using System.Reflection;
using System.Text.Json.Nodes;
using Tocsin.Alerts;

namespace Tocsin.Store.Tests;

/// <summary>
/// Compares alerts property by property, found by reflection: a field added to the model later is compared too, so a
/// store that forgets to persist it fails the round-trip tests.
/// </summary>
internal static class AlertAssert
{
    public static void Equivalent(object? expected, object? actual, string path = "alert")
    {
        if (expected is null || actual is null)
        {
            Assert.True(expected is null && actual is null, $"{path}: expected {expected ?? "null"}, got {actual ?? "null"}");
            return;
        }
        switch (expected)
        {
            case JsonNode node:
                var other = Assert.IsAssignableFrom<JsonNode>(actual);
                Assert.True(JsonNode.DeepEquals(node, other), $"{path}: expected {node.ToJsonString()}, got {other.ToJsonString()}");
                break;
            // AlertType has reference identity: the store must hand back the catalog's own instance.
            case string or ValueType or AlertType:
                Assert.True(Equals(expected, actual), $"{path}: expected {expected}, got {actual}");
                break;
            case IEnumerable sequence:
                var expectedItems = sequence.Cast<object?>().ToList();
                var actualItems = Assert.IsAssignableFrom<IEnumerable>(actual).Cast<object?>().ToList();
                Assert.True(expectedItems.Count == actualItems.Count, $"{path}: expected {expectedItems.Count} items, got {actualItems.Count}");
                for (var i = 0; i < expectedItems.Count; i++)
                    Equivalent(expectedItems[i], actualItems[i], $"{path}[{i}]");
                break;
            default:
                Assert.Equal(expected.GetType(), actual.GetType());
                foreach (var property in Properties(expected.GetType()))
                    Equivalent(property.GetValue(expected), property.GetValue(actual), $"{path}.{property.Name}");
                break;
        }
    }

    /// <summary>Fails on any property left at its type's default: a round trip of defaults would prove little.</summary>
    public static void NoDefaults(object sample)
    {
        foreach (var property in Properties(sample.GetType()))
        {
            var value = property.GetValue(sample);
            var type = property.PropertyType;
            var isDefault = value is null
                || (type.IsValueType && value.Equals(Activator.CreateInstance(type)))
                || value is string { Length: 0 }
                || (value is IEnumerable items and not string && !items.Cast<object>().Any());
            Assert.False(isDefault, $"{sample.GetType().Name}.{property.Name} is left at its default");
        }
    }

    private static IEnumerable<PropertyInfo> Properties(Type type) =>
        type.GetProperties(BindingFlags.Public | BindingFlags.Instance).Where(p => p.GetIndexParameters().Length == 0);
}
