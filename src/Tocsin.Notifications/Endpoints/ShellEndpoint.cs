using System.ComponentModel;
using System.Diagnostics;
using System.Text;
using System.Text.RegularExpressions;
using Tocsin.Alerts;

namespace Tocsin.Notifications.Endpoints;

/// <summary>
/// Runs an executable from the scripts directory once per alert, as ntopng's shell endpoint (spec §4.15), but
/// without a shell: the program gets the fixed arguments of its recipient, never alert data, and reads the alert's
/// notification JSON on stdin. It is killed when it outlives the timeout; a non-zero exit status rejects the alert,
/// with an excerpt of its stderr, except 75 (EX_TEMPFAIL) and 128 + a signal number (up to 64), which are retried, and 126 or 127
/// (cannot execute, not found), which hold the queue until the script is fixed. Its environment is a minimal one plus the
/// endpoint's <c>env</c>: Tocsin's own environment holds other endpoints' secrets.
/// </summary>
public sealed partial class ShellEndpointType : EndpointType
{
    /// <summary>sysexits.h EX_TEMPFAIL: "temporary failure, try again later".</summary>
    public const int TemporaryFailureExitCode = 75;

    /// <summary>POSIX shell status: the command was found but could not be executed.</summary>
    private const int CannotExecuteExitCode = 126;

    /// <summary>POSIX shell status: the command was not found.</summary>
    private const int NotFoundExitCode = 127;

    /// <summary>Statuses above this are 128 + the number of the signal that killed the process (shells and .NET alike).</summary>
    private const int SignalExitCodeBase = 128;

    /// <summary>Linux signals go up to 64; 255 and the like are a script's own error statuses, not signals.</summary>
    private const int HighestSignal = 64;

    private const int StderrLimit = 4096;

    private const string SafePath = "/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin";

    public static readonly TextParameter Script = new("script", "file name of the executable inside scripts_dir")
    {
        Required = true,
        Pattern = FileName(),
        PatternHint = "a file name (letters, digits, '.', '_', '+', '-'; no directories)",
        MaxLength = 255,
    };

    public static readonly DirectoryParameter ScriptsDir = new("scripts_dir", "directory holding the scripts (relative to the config file)", "scripts");

    public static readonly MapParameter Environment = new("env", "environment variables given to the script (values are treated as secrets)",
        name => EnvName().IsMatch(name) ? null : "not a valid environment variable name",
        value => value.Contains('\0') ? "values cannot contain NUL" : null)
    {
        Secret = true,
    };

    public static readonly TextListParameter Args = new("args", "fixed arguments passed to the script",
        item => item.Contains('\0') ? "arguments cannot contain NUL" : null);

    public static readonly ChoiceParameter RunOn = new("run_on",
        "which alerts run the script: always, or only engage, release or store actions", "always", "always", "engage", "release", "store");

    public override string Key => "shell";

    public override string Description => "runs an executable with the alert's JSON on stdin (no shell, fixed arguments)";

    // One alert per run, as ntopng.
    public override DeliveryDefaults Defaults { get; } = new()
    {
        Settings = new DeliverySettings { BatchSize = 1, Timeout = TimeSpan.FromSeconds(10) },
        MaxBatchSize = 1,
    };

    public override IReadOnlyList<EndpointParameter> EndpointParameters => [Script, ScriptsDir, Environment];

    public override IReadOnlyList<EndpointParameter> RecipientParameters => [Args, RunOn];

    public override IEnumerable<ParameterProblem> Validate(ParameterValues endpoint)
    {
        if (endpoint.Get(Script) is not { } script)
            yield break;
        var path = ScriptPath(endpoint);
        if (!File.Exists(path))
            yield return new ParameterProblem(Script.Name, $"no such file: {path}");
        else if (!OperatingSystem.IsWindows() && (File.GetUnixFileMode(path) & (UnixFileMode.UserExecute | UnixFileMode.GroupExecute | UnixFileMode.OtherExecute)) == 0)
            yield return new ParameterProblem(Script.Name, $"{script} is not executable (chmod +x {path})");
    }

    private static readonly IReadOnlySet<AlertAction> EngageOnly = new HashSet<AlertAction> { AlertAction.Engage };
    private static readonly IReadOnlySet<AlertAction> ReleaseOnly = new HashSet<AlertAction> { AlertAction.Release };
    private static readonly IReadOnlySet<AlertAction> StoreOnly = new HashSet<AlertAction> { AlertAction.Store };

    public override IReadOnlySet<AlertAction>? Actions(ParameterValues recipient) => recipient.Get(RunOn) switch
    {
        "engage" => EngageOnly,
        "release" => ReleaseOnly,
        "store" => StoreOnly,
        _ => null,
    };

    public override IEndpointSender CreateSender(EndpointContext context) => new Sender(context);

    private static string ScriptPath(ParameterValues endpoint) => Path.Combine(endpoint.Get(ScriptsDir), endpoint.Get(Script)!);

    [GeneratedRegex(@"^(?!\.\.?$)[A-Za-z0-9._+-]+$")]
    private static partial Regex FileName();

    [GeneratedRegex("^[A-Za-z_][A-Za-z0-9_]*$")]
    private static partial Regex EnvName();

    private sealed class Sender(EndpointContext context) : IEndpointSender
    {
        private readonly string path = ScriptPath(context.EndpointParameters);
        private readonly string directory = context.EndpointParameters.Get(ScriptsDir);
        private readonly IReadOnlyList<string> args = context.RecipientParameters.Get(Args);

        public string Destination => "exec:" + path;

        public async Task<DeliveryResult> SendAsync(IReadOnlyList<Notification> batch, CancellationToken cancellation)
        {
            var result = DeliveryResult.Delivered("nothing to run");
            foreach (var notification in batch)
            {
                result = await RunAsync(notification, cancellation).ConfigureAwait(false);
                if (!result.IsDelivered)
                    break;
            }
            return result;
        }

        private async Task<DeliveryResult> RunAsync(Notification notification, CancellationToken cancellation)
        {
            var start = new ProcessStartInfo(path)
            {
                UseShellExecute = false,
                RedirectStandardInput = true,
                RedirectStandardOutput = true,
                RedirectStandardError = true,
                StandardInputEncoding = new UTF8Encoding(false),
                StandardErrorEncoding = Encoding.UTF8,
                WorkingDirectory = directory,
            };
            foreach (var arg in args)
                start.ArgumentList.Add(arg);
            start.Environment.Clear();
            start.Environment["PATH"] = SafePath;
            start.Environment["LANG"] = "C.UTF-8";
            start.Environment["TOCSIN_RECIPIENT"] = context.RecipientName;
            foreach (var (name, value) in context.EndpointParameters.Get(Environment))
                start.Environment[name] = value;

            using var process = new Process { StartInfo = start };
            try
            {
                process.Start();
            }
            catch (Win32Exception e)
            {
                return DeliveryResult.Failed(FailureKind.Config, $"cannot run {Path.GetFileName(path)}: {e.Message}");
            }
            var stderr = ReadLimitedAsync(process.StandardError);
            var stdout = process.StandardOutput.BaseStream.CopyToAsync(Stream.Null, CancellationToken.None);
            using var deadline = CancellationTokenSource.CreateLinkedTokenSource(cancellation);
            deadline.CancelAfter(context.Delivery.Timeout);
            try
            {
                try
                {
                    await process.StandardInput.WriteAsync((notification.Json + "\n").AsMemory(), deadline.Token).ConfigureAwait(false);
                    process.StandardInput.Close();
                }
                catch (IOException)
                {
                    // The script exited or closed stdin without reading the alert: its exit status says how it went.
                }
                await process.WaitForExitAsync(deadline.Token).ConfigureAwait(false);
            }
            catch (OperationCanceledException)
            {
                Kill(process);
                if (cancellation.IsCancellationRequested)
                    throw;
                return DeliveryResult.Retry(FailureKind.Timeout, $"{Path.GetFileName(path)} killed after {Durations.Format(context.Delivery.Timeout)}");
            }
            // A child the script left running may hold the pipes open: wait briefly for the output, not for it.
            await Task.WhenAny(Task.WhenAll(stderr, stdout), Task.Delay(TimeSpan.FromSeconds(1), CancellationToken.None)).ConfigureAwait(false);
            var errors = stderr.IsCompletedSuccessfully ? stderr.Result : "";
            int code = process.ExitCode;
            // Long enough that the dispatcher's cut, made after redaction, falls well inside it.
            var detail = errors.Trim().Length > 0 ? ": " + TextEscape.Excerpt(errors, 2000) : "";
            if (code == 0)
                return DeliveryResult.Delivered("exit status 0");
            return code switch
            {
                TemporaryFailureExitCode => DeliveryResult.Retry(FailureKind.ServerError, $"exit status {code} (temporary failure){detail}"),
                // The shell's statuses for a command it cannot run or find: the script or its setup is broken, and
                // every alert would fail the same way, so they wait for a fix rather than become dead letters.
                CannotExecuteExitCode => DeliveryResult.Failed(FailureKind.Config, $"exit status {code} (cannot execute){detail}"),
                NotFoundExitCode => DeliveryResult.Failed(FailureKind.Config, $"exit status {code} (command not found){detail}"),
                // 128 + n: the script (or a command whose status it passed on) was killed by signal n, which says
                // nothing against the alert (OOM killer, shutdown): another run may succeed.
                > SignalExitCodeBase and <= SignalExitCodeBase + HighestSignal => DeliveryResult.Retry(FailureKind.ServerError, $"exit status {code} (killed by signal {code - SignalExitCodeBase}){detail}"),
                // The script refused this alert.
                _ => DeliveryResult.Failed(FailureKind.ClientError, $"exit status {code}{detail}"),
            };
        }

        private static void Kill(Process process)
        {
            try
            {
                process.Kill(entireProcessTree: true);
                process.WaitForExit(TimeSpan.FromSeconds(5));
            }
            catch (InvalidOperationException)
            {
                // It exited on its own between the timeout and the kill.
            }
        }

        /// <summary>The first <see cref="StderrLimit"/> characters of stderr, draining the rest so the script never blocks on it.</summary>
        private static async Task<string> ReadLimitedAsync(StreamReader reader)
        {
            var buffer = new char[StderrLimit];
            int total = 0, n;
            while (total < buffer.Length && (n = await reader.ReadAsync(buffer.AsMemory(total)).ConfigureAwait(false)) > 0)
                total += n;
            if (total == buffer.Length)
                await reader.BaseStream.CopyToAsync(Stream.Null).ConfigureAwait(false);
            return new string(buffer, 0, total);
        }

        public ValueTask DisposeAsync() => ValueTask.CompletedTask;
    }
}
