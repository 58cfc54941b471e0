using System.Text;

namespace Tocsin.Ndpi;

/// <summary>
/// One nDPI detection module with every dissector enabled and the list files loaded (about 15 MB and 100 ms to
/// create). nDPI keeps per-packet state in the module, so it is not thread-safe: one per worker thread. Also
/// the name lookups (protocols, categories, risks), cached so that flows share the strings.
/// </summary>
public sealed class NdpiModule : IDisposable
{
    private static readonly Lazy<IReadOnlyList<NdpiRisk>> riskTable = new(LoadRisks);

    private readonly Dictionary<uint, (string Name, bool Encrypted, (int, string) Breed)> protocols = [];
    private readonly Dictionary<int, string> categories = [];
    private readonly Dictionary<int, string> confidences = [];
    private readonly Dictionary<ulong, IReadOnlyList<string>> riskNames = [];
    private nint handle;

    /// <exception cref="NdpiUnavailableException">nDPI 4.2 or the shim is missing or of another version.</exception>
    /// <exception cref="IOException">A list file could not be read.</exception>
    public NdpiModule(NdpiOptions? options = null)
    {
        NdpiLibrary.EnsureAvailable();
        Options = options ?? new NdpiOptions();
        handle = NdpiNative.Init(Options.ProtocolsFile, Options.CategoriesFile, Options.RiskyDomainsFile,
            Options.MaliciousJa3File, Options.MaliciousSha1File, out int error);
        if (handle == 0)
            throw InitError(error, Options);
    }

    public NdpiOptions Options { get; }

    /// <summary>nDPI's revision, e.g. "4.2.0".</summary>
    public static string Revision => NdpiLibrary.Revision;

    /// <summary>nDPI flows of this module allocated and not yet freed (the shim counts them).</summary>
    public long LiveFlows => NdpiNative.LiveFlows(Handle);

    /// <summary>Every risk nDPI defines, ids 1 to 41 in order (<c>Risks[i].Id == i + 1</c>).</summary>
    public IReadOnlyList<NdpiRisk> Risks => riskTable.Value;

    internal nint Handle => handle != 0 ? handle : throw new ObjectDisposedException(nameof(NdpiModule));

    /// <summary>The risk with this id (1 to 41).</summary>
    public NdpiRisk Risk(int id) => Risks[id - 1];

    /// <summary>nDPI's name of a detection result: "Master.App" ("TLS.YouTube"), or "App" when there is no master.</summary>
    public string ProtocolName(int master, int app) => Protocol(master, app).Name;

    /// <summary>Whether nDPI considers the protocol encrypted (ndpiReader's "Encrypted"/"ClearText").</summary>
    public bool IsEncrypted(int master, int app) => Protocol(master, app).Encrypted;

    /// <summary>nDPI's breed of the protocol (3 unsafe, 4 potentially dangerous, 5 dangerous...) and its name.</summary>
    public (int Breed, string Name) Breed(int master, int app) => Protocol(master, app).Breed;

    /// <summary>nDPI's category name, e.g. "Web" for 5.</summary>
    public string CategoryName(int category)
    {
        if (!categories.TryGetValue(category, out var name))
            categories[category] = name = NdpiNative.Text(NdpiNative.CategoryName(Handle, category));
        return name;
    }

    /// <summary>nDPI's name of a confidence level: "Unknown", "Match by port", "Match by IP", "DPI (cache)", "DPI".</summary>
    public string ConfidenceName(int confidence)
    {
        if (!confidences.TryGetValue(confidence, out var name))
            confidences[confidence] = name = NdpiNative.Text(NdpiNative.ConfidenceName(confidence));
        return name;
    }

    /// <summary>The names of the risks set in <paramref name="bitmap"/>, in id order (one shared list per bitmap).</summary>
    public IReadOnlyList<string> RiskNames(ulong bitmap)
    {
        if (bitmap == 0)
            return [];
        if (!riskNames.TryGetValue(bitmap, out var names))
        {
            var list = new List<string>();
            foreach (var risk in Risks)
            {
                if ((bitmap & (1UL << risk.Id)) != 0)
                    list.Add(risk.Name);
            }
            riskNames[bitmap] = names = list.AsReadOnly();
        }
        return names;
    }

    public void Dispose()
    {
        if (handle == 0)
            return;
        NdpiNative.Exit(handle);
        handle = 0;
    }

    private unsafe (string Name, bool Encrypted, (int, string) Breed) Protocol(int master, int app)
    {
        uint key = ((uint)(ushort)master << 16) | (ushort)app;
        if (!protocols.TryGetValue(key, out var info))
        {
            byte* buffer = stackalloc byte[128];
            int length = NdpiNative.ProtocolToName(Handle, (ushort)master, (ushort)app, buffer, 128);
            var name = length > 0 ? Encoding.UTF8.GetString(buffer, Math.Min(length, 127)) : "Unknown";
            nint breedName;
            int breed = NdpiNative.ProtocolBreed(Handle, (ushort)master, (ushort)app, &breedName);
            protocols[key] = info = (name, NdpiNative.IsEncrypted(Handle, (ushort)master, (ushort)app) != 0, (breed, NdpiNative.Text(breedName)));
        }
        return info;
    }

    private static unsafe IReadOnlyList<NdpiRisk> LoadRisks()
    {
        NdpiLibrary.EnsureAvailable();
        var risks = new List<NdpiRisk>();
        int max = NdpiNative.MaxRisk();
        for (int id = 1; id < max; id++)
        {
            int severity;
            nint severityName;
            ushort score, client, server;
            nint name = NdpiNative.RiskInfo(id, &severity, &severityName, &score, &client, &server);
            if (name == 0)
                throw new InvalidOperationException($"nDPI has no information on risk {id}");
            risks.Add(new NdpiRisk(id, NdpiNative.Text(name), (NdpiRiskSeverity)severity, NdpiNative.Text(severityName), score, client, server));
        }
        return risks.AsReadOnly();
    }

    private static Exception InitError(int error, NdpiOptions options) => error switch
    {
        NdpiNative.ErrorApiVersion => new NdpiUnavailableException(
            $"the installed libndpi is not nDPI 4.2 (API {NdpiLibrary.NdpiApiVersion}): apt-get install -y libndpi4.2"),
        NdpiNative.ErrorProtocolsFile => ListError("protocols", options.ProtocolsFile),
        NdpiNative.ErrorCategoriesFile => ListError("categories", options.CategoriesFile),
        NdpiNative.ErrorRiskyDomainsFile => ListError("risky domains", options.RiskyDomainsFile),
        NdpiNative.ErrorMaliciousJa3File => ListError("malicious JA3", options.MaliciousJa3File),
        NdpiNative.ErrorMaliciousSha1File => ListError("malicious SHA-1", options.MaliciousSha1File),
        NdpiNative.ErrorInit => new OutOfMemoryException("nDPI could not create its detection module"),
        _ => new InvalidOperationException($"nDPI's shim failed to start (error {error})"),
    };

    private static IOException ListError(string what, string? path) =>
        new($"nDPI could not read its {what} list: {path}");
}
