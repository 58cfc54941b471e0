using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;

namespace Tocsin.Ndpi;

/// <summary>nDPI cannot be used: the library or the shim is missing, or its version is not 4.2. The message is one line naming what to install.</summary>
public sealed class NdpiUnavailableException(string message) : Exception(message);

/// <summary>
/// Loads Tocsin's nDPI shim (libndpishim.so, built beside the assembly) and, through it, Debian's nDPI 4.2
/// (libndpi.so.4.2), once per process, and checks that both are the versions this code was written for.
/// </summary>
public static class NdpiLibrary
{
    /// <summary>SONAME of nDPI 4.2 as Debian 12 ships it (package libndpi4.2).</summary>
    public const string NdpiSoname = "libndpi.so.4.2";

    /// <summary>NDPI_API_VERSION of nDPI 4.2.</summary>
    public const uint NdpiApiVersion = 8668;

    private const string Install = "apt-get install -y libndpi4.2 (and libndpi-dev gcc pkg-config to build Tocsin's nDPI shim, or run ./tocsin)";
    private const string Rebuild = "apt-get install -y libndpi-dev gcc pkg-config, then rebuild Tocsin (or run ./tocsin)";

    private static readonly Lazy<string> revision = new(LoadAndCheck, LazyThreadSafetyMode.ExecutionAndPublication);

    /// <summary>nDPI's revision string ("4.2.0"); loads the libraries on first use.</summary>
    public static string Revision => revision.Value;

    /// <summary>Loads and checks the libraries (once); throws <see cref="NdpiUnavailableException"/> when they are unusable.</summary>
    public static void EnsureAvailable() => _ = revision.Value;

    private static string LoadAndCheck()
    {
        var handle = Load(NdpiNative.Library, NdpiSoname);
        // Every [LibraryImport] of this assembly binds to the handle just checked, not to whatever the default probing finds.
        NativeLibrary.SetDllImportResolver(typeof(NdpiLibrary).Assembly,
            (name, _, _) => name == NdpiNative.Library ? handle : 0);
        var problem = VersionProblem(NdpiNative.ShimAbiVersion(), NdpiNative.ResultSize(),
            NdpiNative.ApiVersionCompiled(), NdpiNative.ApiVersionRuntime());
        if (problem is not null)
            throw new NdpiUnavailableException(problem);
        return NdpiNative.Text(NdpiNative.Revision());
    }

    /// <summary>
    /// Loads the shim <paramref name="shimName"/> (from the assembly's directory, then the loader path). When it
    /// cannot be loaded, tells apart nDPI missing (<paramref name="ndpiSoname"/> not loadable either: the shim
    /// depends on it) from the shim missing, in one line naming the Debian packages.
    /// </summary>
    internal static nint Load(string shimName, string ndpiSoname)
    {
        if (NativeLibrary.TryLoad(shimName, typeof(NdpiLibrary).Assembly, null, out var handle))
            return handle;
        if (!NativeLibrary.TryLoad(ndpiSoname, out var ndpi))
            throw new NdpiUnavailableException($"nDPI 4.2 is not installed ({ndpiSoname} not found): {Install}");
        NativeLibrary.Free(ndpi);
        throw new NdpiUnavailableException(
            $"Tocsin's nDPI shim ({shimName}) is missing or cannot be loaded beside {ndpiSoname}: {Rebuild}");
    }

    /// <summary>Why the loaded shim and nDPI cannot be used together with this code, or null when they can.</summary>
    internal static string? VersionProblem(uint shimAbi, uint resultSize, uint compiledApi, uint runtimeApi)
    {
        if (shimAbi != NdpiNative.AbiVersion || resultSize != (uint)Unsafe.SizeOf<NdpiShimResult>())
            return $"Tocsin's nDPI shim has ABI {shimAbi} (result size {resultSize}), this build expects ABI {NdpiNative.AbiVersion}: rebuild Tocsin";
        if (compiledApi != NdpiApiVersion)
            return $"Tocsin's nDPI shim was built against nDPI API {compiledApi}, not nDPI 4.2 (API {NdpiApiVersion}): {Rebuild} on Debian 12";
        if (runtimeApi != compiledApi)
            return $"the installed libndpi has API version {runtimeApi}, Tocsin's nDPI shim was built for {compiledApi} (nDPI 4.2): {Install}";
        return null;
    }
}
