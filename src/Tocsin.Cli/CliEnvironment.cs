using Spectre.Console;

namespace Tocsin.Cli;

/// <summary>Exit codes of the `tocsin` command.</summary>
public static class ExitCodes
{
    public const int Ok = 0;
    public const int UsageOrConfig = 1;
    public const int CaptureUnreadable = 2;

    /// <summary>Alerts were still queued when the wait for delivery ended, or a test message was not delivered.</summary>
    public const int Undelivered = 3;

    /// <summary>An error no command handles itself; its one-line message is on stderr.</summary>
    public const int Unexpected = 4;
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

    /// <summary>
    /// The process's streams. Redirected output is buffered: Console.Out flushes on every line, which cost ndjson runs
    /// 40% of their time in write calls; <see cref="Flush"/> runs before the process exits.
    /// </summary>
    public static CliEnvironment FromConsole()
    {
        var output = Console.IsOutputRedirected
            ? new StreamWriter(Console.OpenStandardOutput(), new System.Text.UTF8Encoding(false), 1 << 16) { AutoFlush = false }
            : Console.Out;
        return new(output, Console.Error, !Console.IsOutputRedirected && !Console.IsErrorRedirected);
    }

    public void Flush()
    {
        Out.Flush();
        Error.Flush();
    }

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
