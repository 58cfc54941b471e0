using Spectre.Console;

namespace Tocsin.Cli;

/// <summary>Exit codes of the `tocsin` command.</summary>
public static class ExitCodes
{
    public const int Ok = 0;
    public const int UsageOrConfig = 1;
    public const int CaptureUnreadable = 2;
}

/// <summary>Where a command writes: real streams for the program, string writers for in-process tests.</summary>
public sealed class CliEnvironment
{
    public CliEnvironment(TextWriter output, TextWriter error, bool interactive)
    {
        Out = output;
        Error = error;
        Interactive = interactive;
        OutConsole = CreateConsole(output, interactive);
        ErrorConsole = CreateConsole(error, interactive);
    }

    public TextWriter Out { get; }
    public TextWriter Error { get; }

    /// <summary>Both streams are terminals: colours and progress bars are welcome.</summary>
    public bool Interactive { get; }

    public IAnsiConsole OutConsole { get; }
    public IAnsiConsole ErrorConsole { get; }

    public static CliEnvironment FromConsole() =>
        new(Console.Out, Console.Error, !Console.IsOutputRedirected && !Console.IsErrorRedirected);

    /// <summary>One clear line on stderr.</summary>
    public void Fail(string message) => Error.WriteLine("tocsin: " + message);

    /// <summary>Width of tables written to a file or pipe, where no terminal says how wide to be.</summary>
    public const int RedirectedWidth = 200;

    private static IAnsiConsole CreateConsole(TextWriter writer, bool interactive)
    {
        var console = AnsiConsole.Create(new AnsiConsoleSettings
        {
            Out = new AnsiConsoleOutput(writer),
            Ansi = interactive ? AnsiSupport.Detect : AnsiSupport.No,
            ColorSystem = interactive ? ColorSystemSupport.Detect : ColorSystemSupport.NoColors,
            Interactive = interactive ? InteractionSupport.Yes : InteractionSupport.No,
        });
        if (!interactive)
            console.Profile.Width = RedirectedWidth;
        return console;
    }
}
