namespace Tocsin.Alerts;

/// <summary>Why discovery by reflection (checks, endpoints, alert types) survives the ahead-of-time build.</summary>
public static class TrimRoots
{
    public const string Justification =
        "Tocsin assemblies are rooted whole in the trimmed build (TrimmerRootAssembly in Tocsin.Cli.csproj), so every type and member found here is kept.";
}
