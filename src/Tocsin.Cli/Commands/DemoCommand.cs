using Tocsin.Cli.Demo;
using Tocsin.Cli.Output;

namespace Tocsin.Cli.Commands;

/// <summary>`tocsin demo`: analyses the capture shipped in demo/ with demo/tocsin.yaml and prints the alerts.</summary>
public static class DemoCommand
{
    public static string DemoDirectory => Path.Combine(AppContext.BaseDirectory, "demo");

    public static int Run(OutputFormat format, string dbPath, CliEnvironment env)
    {
        var capture = Path.Combine(DemoDirectory, "demo.pcap");
        var config = Path.Combine(DemoDirectory, "tocsin.yaml");
        if (!File.Exists(capture) || !File.Exists(config))
        {
            env.Fail($"demo files missing in {DemoDirectory} (the build copies them from the repository's demo/ folder)");
            return ExitCodes.UsageOrConfig;
        }
        return AnalysisRun.Execute(new AnalyzeRequest { Captures = [capture], ConfigPath = config, Format = format, DbPath = dbPath }, env);
    }

    /// <summary>Writes the demo capture (how demo/demo.pcap was made).</summary>
    public static int WriteCapture(string path, CliEnvironment env)
    {
        using (var file = File.Create(path))
            DemoCapture.Write(file);
        env.Out.WriteLine($"wrote {path} ({new FileInfo(path).Length} bytes)");
        return ExitCodes.Ok;
    }
}
