using System.Runtime.InteropServices;

namespace Tocsin.Ndpi;

/// <summary>What one call into nDPI concluded: the C# mirror of <c>ndpishim_result</c> (16 bytes, blittable).</summary>
[StructLayout(LayoutKind.Sequential)]
internal struct NdpiShimResult
{
    public ushort MasterProtocol;
    public ushort AppProtocol;
    public int Category;
    public int Confidence;
    public byte ExtraDissectionPossible;
    public byte Guessed;
    public ushort Reserved;
}

/// <summary>String fields of <c>ndpishim_get_str</c> (native/ndpishim.h).</summary>
internal enum NdpiStr
{
    Host = 1,
    HttpUrl = 2,
    HttpUserAgent = 3,
    HttpContentType = 4,
    HttpMethod = 5,
    TlsVersion = 10,
    TlsJa3Client = 11,
    TlsJa3Server = 12,
    TlsAlpn = 13,
    TlsSupportedVersions = 14,
    TlsIssuerDn = 15,
    TlsSubjectDn = 16,
    TlsServerNames = 17,
    TlsCertSha1 = 18,
    TlsCipher = 19,
    SshClientBanner = 30,
    SshServerBanner = 31,
    SshHasshClient = 32,
    SshHasshServer = 33,
    DnsAnswer = 40,
}

/// <summary>Numeric fields of <c>ndpishim_get_num</c> (native/ndpishim.h).</summary>
internal enum NdpiNum
{
    HttpResponseCode = 1,
    TlsVersion = 10,
    TlsNotBefore = 11,
    TlsNotAfter = 12,
    TlsCipher = 13,
    TlsUnsafeCipher = 14,
    DnsQueryType = 20,
    DnsReplyCode = 21,
}

/// <summary>
/// The shim's C API (native/ndpishim.h). Blittable arguments only, so no marshalling stub on the per-packet
/// call; strings returned as <c>const char*</c> belong to nDPI and are never freed here.
/// </summary>
internal static unsafe partial class NdpiNative
{
    /// <summary>Resolved to libndpishim.so next to the assembly (see <see cref="NdpiLibrary"/>).</summary>
    public const string Library = "ndpishim";

    /// <summary>NDPISHIM_ABI_VERSION this binding was written for.</summary>
    public const uint AbiVersion = 2;

    public const int ErrorApiVersion = 1;
    public const int ErrorInit = 2;
    public const int ErrorProtocolsFile = 3;
    public const int ErrorCategoriesFile = 4;
    public const int ErrorRiskyDomainsFile = 5;
    public const int ErrorMaliciousJa3File = 6;
    public const int ErrorMaliciousSha1File = 7;

    [LibraryImport(Library, EntryPoint = "ndpishim_abi_version")]
    public static partial uint ShimAbiVersion();

    [LibraryImport(Library, EntryPoint = "ndpishim_ndpi_api_version_runtime")]
    public static partial uint ApiVersionRuntime();

    [LibraryImport(Library, EntryPoint = "ndpishim_ndpi_api_version_compiled")]
    public static partial uint ApiVersionCompiled();

    [LibraryImport(Library, EntryPoint = "ndpishim_ndpi_revision")]
    public static partial nint Revision();

    [LibraryImport(Library, EntryPoint = "ndpishim_result_size")]
    public static partial uint ResultSize();

    [LibraryImport(Library, EntryPoint = "ndpishim_init", StringMarshalling = StringMarshalling.Utf8)]
    public static partial nint Init(string? protocolsFile, string? categoriesFile, string? riskyDomainsFile,
        string? maliciousJa3File, string? maliciousSha1File, out int error);

    [LibraryImport(Library, EntryPoint = "ndpishim_exit")]
    public static partial void Exit(nint module);

    [LibraryImport(Library, EntryPoint = "ndpishim_flow_new")]
    public static partial nint FlowNew(nint module);

    [LibraryImport(Library, EntryPoint = "ndpishim_flow_free")]
    public static partial void FlowFree(nint module, nint flow);

    [LibraryImport(Library, EntryPoint = "ndpishim_live_flows")]
    public static partial long LiveFlows(nint module);

    [LibraryImport(Library, EntryPoint = "ndpishim_process_packet")]
    public static partial int ProcessPacket(nint module, nint flow, byte* l3, ushort length, ulong timestampMs, NdpiShimResult* result);

    [LibraryImport(Library, EntryPoint = "ndpishim_giveup")]
    public static partial int GiveUp(nint module, nint flow, int enableGuess, NdpiShimResult* result);

    [LibraryImport(Library, EntryPoint = "ndpishim_flow_risk")]
    public static partial ulong FlowRisk(nint module, nint flow, int validateUrl);

    [LibraryImport(Library, EntryPoint = "ndpishim_protocol2name")]
    public static partial int ProtocolToName(nint module, ushort master, ushort app, byte* buffer, int length);

    [LibraryImport(Library, EntryPoint = "ndpishim_category_name")]
    public static partial nint CategoryName(nint module, int category);

    [LibraryImport(Library, EntryPoint = "ndpishim_confidence_name")]
    public static partial nint ConfidenceName(int confidence);

    [LibraryImport(Library, EntryPoint = "ndpishim_is_encrypted")]
    public static partial int IsEncrypted(nint module, ushort master, ushort app);

    [LibraryImport(Library, EntryPoint = "ndpishim_protocol_category")]
    public static partial int ProtocolCategory(nint module, ushort master, ushort app);

    [LibraryImport(Library, EntryPoint = "ndpishim_protocol_breed")]
    public static unsafe partial int ProtocolBreed(nint module, ushort master, ushort app, nint* name);

    [LibraryImport(Library, EntryPoint = "ndpishim_max_risk")]
    public static partial int MaxRisk();

    [LibraryImport(Library, EntryPoint = "ndpishim_risk_info")]
    public static partial nint RiskInfo(int risk, int* severity, nint* severityName, ushort* score, ushort* clientScore, ushort* serverScore);

    [LibraryImport(Library, EntryPoint = "ndpishim_get_str")]
    public static partial int GetStr(nint module, nint flow, NdpiStr field, byte* buffer, int length);

    [LibraryImport(Library, EntryPoint = "ndpishim_get_num")]
    public static partial long GetNum(nint module, nint flow, NdpiNum field, long fallback);

    /// <summary>A NUL-terminated UTF-8 string owned by nDPI, copied; "" for NULL.</summary>
    public static string Text(nint utf8) => Marshal.PtrToStringUTF8(utf8) ?? "";
}
