namespace Tocsin.Cli.Tests;

/// <summary>Runs the `tocsin` command in-process with captured output.</summary>
internal static class CliRunner
{
    public static (int Exit, string Out, string Err) Run(params string[] args)
    {
        var output = new StringWriter();
        var error = new StringWriter();
        int exit = TocsinCli.Run(args, new CliEnvironment(output, error, interactive: false));
        return (exit, output.ToString(), error.ToString());
    }
}
