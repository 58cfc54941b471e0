using System.Reflection;

namespace Tocsin.Testing;

/// <summary>
/// Locates the shared reference material (../shared beside the checkout, or $TOCSIN_SHARED): captures with nDPI's
/// expected results and the ntopng alert catalogues. Tests read it in place; nothing is copied into the repo.
/// </summary>
public static class SharedData
{
    private static readonly Lazy<string> root = new(FindRoot);

    public static string Root => root.Value;

    private static readonly Lazy<string> repoRoot = new(FindRepoRoot);

    /// <summary>The checkout this test assembly was built from.</summary>
    public static string RepoRoot => repoRoot.Value;

    public static string NdpiPcapDir => Path.Combine(Root, "pcaps", "ndpi", "pcap");

    public static string NdpiResultDir => Path.Combine(Root, "pcaps", "ndpi", "result");

    public static string NdpiConfigDir => Path.Combine(Root, "pcaps", "ndpi", "config");

    public static string SpecDir => Path.Combine(Root, "spec");

    public static string NdpiPcap(string name) => Path.Combine(NdpiPcapDir, name);

    public static string NdpiResult(string captureName) => Path.Combine(NdpiResultDir, captureName + ".out");

    public static IEnumerable<string> NdpiCaptures() =>
        Directory.EnumerateFiles(NdpiPcapDir).Select(Path.GetFileName).OfType<string>().Order(StringComparer.Ordinal);

    private static string FindRepoRoot() =>
        typeof(SharedData).Assembly.GetCustomAttributes<AssemblyMetadataAttribute>()
            .FirstOrDefault(a => a.Key == "RepoRoot")?.Value
        ?? throw new InvalidOperationException("the test assembly does not record its repository root");

    private static string FindRoot()
    {
        var fromEnv = Environment.GetEnvironmentVariable("TOCSIN_SHARED");
        var candidate = !string.IsNullOrEmpty(fromEnv) ? fromEnv : Path.Combine(RepoRoot, "..", "shared");
        if (!Directory.Exists(Path.Combine(candidate, "pcaps")))
            throw new InvalidOperationException($"shared reference data not found at {Path.GetFullPath(candidate)} (set TOCSIN_SHARED)");
        return Path.GetFullPath(candidate);
    }
}
