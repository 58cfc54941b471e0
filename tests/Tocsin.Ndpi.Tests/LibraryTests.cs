using System.Diagnostics;
using System.Globalization;
using System.Runtime.CompilerServices;
using Tocsin.Testing;

namespace Tocsin.Ndpi.Tests;

/// <summary>Loading, version checks, the messages when nDPI is missing, the build script, and the name tables.</summary>
public class LibraryTests
{
    [Fact]
    public void The_loaded_library_is_ndpi_4_2_and_the_shim_matches_it()
    {
        NdpiLibrary.EnsureAvailable();
        Assert.Equal("4.2.0", NdpiLibrary.Revision);
        Assert.Equal(NdpiLibrary.NdpiApiVersion, NdpiNative.ApiVersionRuntime());
        Assert.Equal(NdpiLibrary.NdpiApiVersion, NdpiNative.ApiVersionCompiled());
        Assert.Equal(NdpiNative.AbiVersion, NdpiNative.ShimAbiVersion());
        Assert.Equal(16u, NdpiNative.ResultSize());
        Assert.Equal(16, Unsafe.SizeOf<NdpiShimResult>());
        Assert.Null(NdpiLibrary.VersionProblem(NdpiNative.ShimAbiVersion(), NdpiNative.ResultSize(),
            NdpiNative.ApiVersionCompiled(), NdpiNative.ApiVersionRuntime()));
    }

    [Fact]
    public void A_missing_shim_is_one_line_naming_the_packages()
    {
        var e = Assert.Throws<NdpiUnavailableException>(() => NdpiLibrary.Load("tocsin-no-such-shim", NdpiLibrary.NdpiSoname));
        Assert.DoesNotContain('\n', e.Message);
        Assert.Contains("tocsin-no-such-shim", e.Message);
        Assert.Contains("apt-get install -y libndpi-dev gcc pkg-config", e.Message);
    }

    [Fact]
    public void Missing_ndpi_is_one_line_naming_the_package()
    {
        // The shim cannot load without libndpi.so.4.2 (it is linked to it), so both are missing here.
        var e = Assert.Throws<NdpiUnavailableException>(() => NdpiLibrary.Load("tocsin-no-such-shim", "libndpi.so.0.1"));
        Assert.DoesNotContain('\n', e.Message);
        Assert.StartsWith("nDPI 4.2 is not installed (libndpi.so.0.1 not found): apt-get install -y libndpi4.2", e.Message);
        Assert.Contains("libndpi-dev gcc pkg-config", e.Message);
    }

    [Fact]
    public void The_real_shim_loads_through_the_same_path()
    {
        var handle = NdpiLibrary.Load(NdpiNative.Library, NdpiLibrary.NdpiSoname);
        Assert.NotEqual(0, handle);
    }

    [Theory]
    [InlineData(2u, 16u, 8668u, 8700u, "the installed libndpi has API version 8700, Tocsin's nDPI shim was built for 8668 (nDPI 4.2): apt-get install -y libndpi4.2")]
    [InlineData(2u, 16u, 9000u, 9000u, "Tocsin's nDPI shim was built against nDPI API 9000, not nDPI 4.2 (API 8668)")]
    [InlineData(1u, 24u, 8668u, 8668u, "Tocsin's nDPI shim has ABI 1 (result size 24), this build expects ABI 2")]
    [InlineData(2u, 24u, 8668u, 8668u, "Tocsin's nDPI shim has ABI 2 (result size 24), this build expects ABI 2")]
    public void Version_mismatches_are_refused(uint abi, uint resultSize, uint compiled, uint runtime, string start)
    {
        var problem = NdpiLibrary.VersionProblem(abi, resultSize, compiled, runtime);
        Assert.NotNull(problem);
        Assert.StartsWith(start, problem);
        Assert.DoesNotContain('\n', problem);
    }

    [Fact]
    public void The_shim_refuses_a_list_file_it_cannot_read()
    {
        var path = Path.Combine(Path.GetTempPath(), "tocsin-no-such-list.txt");
        var e = Assert.Throws<IOException>(() => new NdpiModule(new NdpiOptions { MaliciousJa3File = path }));
        Assert.Equal($"nDPI could not read its malicious JA3 list: {path}", e.Message);
    }

    [Fact]
    public void Risk_table_is_the_library_one()
    {
        // spec/ndpi42_risks.txt: "id|name|severity|score|client score|server score", dumped from nDPI 4.2.
        var expected = File.ReadLines(Path.Combine(SharedData.SpecDir, "ndpi42_risks.txt"))
            .Select(line => line.Split('|'))
            .Where(f => f.Length == 6 && int.TryParse(f[0], CultureInfo.InvariantCulture, out var id) && id > 0)
            .Select(f => new NdpiRisk(int.Parse(f[0], CultureInfo.InvariantCulture), f[1], Enum.Parse<NdpiRiskSeverity>(f[2]), f[2],
                int.Parse(f[3], CultureInfo.InvariantCulture), int.Parse(f[4], CultureInfo.InvariantCulture), int.Parse(f[5], CultureInfo.InvariantCulture)))
            .ToList();
        using var module = new NdpiModule();
        Assert.Equal(41, expected.Count);
        Assert.Equal(expected, module.Risks);
        Assert.Equal("Possible Exploit Detected", module.Risk(40).Name);
        Assert.Equal(["Known Protocol on Non Standard Port", "TLS Certificate Validity Too Long"], module.RiskNames((1UL << 5) | (1UL << 32)));
        Assert.Same(module.RiskNames(1UL << 5), module.RiskNames(1UL << 5));
        Assert.Empty(module.RiskNames(0));
    }

    [Fact]
    public void Names_come_from_the_library()
    {
        using var module = new NdpiModule();
        Assert.Equal("TLS.Google", module.ProtocolName(91, 126));
        Assert.Equal("HTTP", module.ProtocolName(0, 7));
        Assert.Equal("DNS.Google", module.ProtocolName(5, 126));
        Assert.Equal("Unknown", module.ProtocolName(0, 0));
        Assert.True(module.IsEncrypted(91, 126));
        Assert.False(module.IsEncrypted(0, 7));
        Assert.Equal("Web", module.CategoryName(5));
        Assert.Equal("DPI", module.ConfidenceName(4));
        Assert.Equal("Match by port", module.ConfidenceName(1));
        Assert.Equal("4.2.0", NdpiModule.Revision);
    }

    [Fact]
    [System.Runtime.Versioning.SupportedOSPlatform("linux")]
    public void The_build_script_says_which_packages_to_install_when_ndpi_headers_are_missing()
    {
        using var dir = new TempDirectory();
        // A pkg-config that knows no libndpi, first on PATH: as on a machine without libndpi-dev.
        var fake = Path.Combine(dir.Path, "bin");
        Directory.CreateDirectory(fake);
        File.WriteAllText(Path.Combine(fake, "pkg-config"), "#!/bin/sh\nexit 1\n");
        File.SetUnixFileMode(Path.Combine(fake, "pkg-config"), UnixFileMode.UserRead | UnixFileMode.UserExecute);
        var outDir = Path.Combine(dir.Path, "out");
        var start = new ProcessStartInfo("sh", [Path.Combine(SharedData.RepoRoot, "native", "build.sh"), outDir])
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
        };
        start.Environment["PATH"] = fake + ":" + Environment.GetEnvironmentVariable("PATH");
        using var process = Process.Start(start)!;
        var stdout = process.StandardOutput.ReadToEnd();
        var stderr = process.StandardError.ReadToEnd();
        process.WaitForExit();

        Assert.Equal(0, process.ExitCode);
        Assert.Equal("", stderr);
        Assert.Equal("ndpishim: not built (missing: libndpi-dev); to enable nDPI: apt-get install -y libndpi-dev gcc pkg-config\n", stdout);
        Assert.False(File.Exists(Path.Combine(outDir, "libndpishim.so")));
    }
}
