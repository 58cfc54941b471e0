using System.CommandLine;
using Tocsin.Cli.Commands;
using Tocsin.Cli.Output;

namespace Tocsin.Cli;

/// <summary>The `tocsin` command tree.</summary>
public static class TocsinCli
{
    public static int Run(string[] args, CliEnvironment env)
    {
        var root = Build(env);
        var config = new InvocationConfiguration { Output = env.Out, Error = env.Error, EnableDefaultExceptionHandler = false };
        try
        {
            return root.Parse(args).Invoke(config);
        }
        catch (OperationCanceledException)
        {
            env.Fail("interrupted");
            return ExitCodes.UsageOrConfig;
        }
        catch (Exception e)
        {
            // A failure no command foresaw (a full disk under stdout...): one line, not a stack trace. Messages that
            // could carry a secret are masked where they are made (config and endpoint code), so the text is safe.
            env.Fail(e.Message.ReplaceLineEndings(" "));
            env.Error.Flush();
            return ExitCodes.Unexpected;
        }
    }

    public static RootCommand Build(CliEnvironment env)
    {
        var root = new RootCommand("Tocsin: network-traffic alerting. Reads captures, tracks flows and hosts, runs checks and raises alerts.");
        root.Subcommands.Add(Analyze(env));
        root.Subcommands.Add(Checks(env));
        root.Subcommands.Add(Alerts(env));
        root.Subcommands.Add(Demo(env));
        root.Subcommands.Add(RecipientsCommand.Build(env));
        return root;
    }

    public static Option<OutputFormat> FormatOption() => new("--format", "-f")
    {
        Description = "output format: table, json or ndjson",
        DefaultValueFactory = _ => OutputFormat.Table,
    };

    private static Command Analyze(CliEnvironment env)
    {
        var captures = new Argument<string[]>("CAPTURE") { Arity = ArgumentArity.OneOrMore, Description = "pcap or pcapng files, analysed in order as one stream" };
        // An unknown option would otherwise be taken for a capture file name.
        captures.Validators.Add(result =>
        {
            foreach (var value in result.GetValueOrDefault<string[]>() ?? [])
            {
                if (value.StartsWith('-') && !File.Exists(value))
                    result.AddError($"unknown option '{value}'");
            }
        });
        var config = new Option<string?>("--config", "-c") { Description = "configuration file (tocsin.yaml)" };
        var networks = new Option<string[]>("--local-networks", "-l") { Description = "local networks as comma-separated CIDR blocks (override the config)" };
        var format = FormatOption();
        var db = new Option<string?>("--db") { Description = "alert database file (default: the config's store.path, else ./tocsin.db)" };
        var verbose = new Option<bool>("--verbose", "-v") { Description = "log progress to stderr" };
        var workers = new Option<int?>("--workers", "-w") { Description = "worker threads, each taking a share of the host pairs (default: the config's, else one per core)" };
        workers.Validators.Add(r =>
        {
            if (r.GetValueOrDefault<int?>() is < 1 or > 256)
                r.AddError("--workers must be between 1 and 256");
        });
        var noDpi = new Option<bool>("--no-dpi") { Description = "run without nDPI application detection" };
        var quiet = new Option<bool>("--quiet", "-q") { Description = "print only the summary; the alerts are in the store (tocsin alerts list)" };
        var noStore = new Option<bool>("--no-store") { Description = "keep no alert database: only print the alerts (not with --notify)" };
        var notify = new Option<bool>("--notify") { Description = "deliver the alerts to the config's recipients, wait until their queues drain, print per-recipient statistics" };
        var notifyTimeout = NotificationRun.TimeoutOption("--notify-timeout", "longest wait for the queues to drain (what is left stays queued)");
        var command = new Command("analyze", "Analyse capture files and print the alerts they raise, then a summary") { captures, config, networks, format, db, verbose, workers, noDpi, quiet, noStore, notify, notifyTimeout };
        command.SetAction(r => AnalysisRun.Execute(new AnalyzeRequest
        {
            Captures = r.GetValue(captures) ?? [],
            ConfigPath = r.GetValue(config),
            LocalNetworks = r.GetValue(networks),
            Format = r.GetValue(format),
            DbPath = r.GetValue(db),
            Verbose = r.GetValue(verbose),
            Workers = r.GetValue(workers),
            NoDpi = r.GetValue(noDpi),
            Quiet = r.GetValue(quiet),
            NoStore = r.GetValue(noStore),
            Notify = r.GetValue(notify),
            NotifyTimeout = r.GetValue(notifyTimeout),
        }, env));
        return command;
    }

    private static Command Checks(CliEnvironment env)
    {
        var config = new Option<string?>("--config", "-c") { Description = "also show the settings of this configuration file" };
        var format = FormatOption();
        var list = new Command("list", "List every check: key, entity, category, default state, parameters and defaults") { config, format };
        list.SetAction(r => ChecksCommand.List(r.GetValue(config), r.GetValue(format), env));
        return new Command("checks", "Inspect the checks") { list };
    }

    private static Command Alerts(CliEnvironment env)
    {
        var db = new Option<string>("--db") { Description = "alert database file", Required = true };
        var family = new Option<string?>("--family") { Description = "interface, host, network, flow, mac, user or system" };
        var type = new Option<string[]>("--type") { Description = "alert type names or ids (comma separated)" };
        var severity = new Option<string?>("--severity") { Description = "minimum severity (notice, warning, error...)" };
        var minScore = new Option<int?>("--min-score") { Description = "minimum score" };
        var entity = new Option<string?>("--entity") { Description = "entity value (ip@vlan for hosts, CIDR for networks)" };
        var ip = new Option<string?>("--ip") { Description = "host IP, or either end of a flow" };
        var cliIp = new Option<string?>("--cli-ip") { Description = "flow client IP" };
        var srvIp = new Option<string?>("--srv-ip") { Description = "flow server IP" };
        var port = new Option<int?>("--port") { Description = "either port of a flow" };
        var vlan = new Option<int?>("--vlan") { Description = "VLAN id" };
        var since = new Option<string?>("--since") { Description = "from this time (epoch seconds or ISO 8601, UTC)" };
        var until = new Option<string?>("--until") { Description = "up to this time (epoch seconds or ISO 8601, UTC)" };
        var status = new Option<string?>("--status") { Description = "historical or acknowledged" };
        var limit = new Option<int>("--limit") { Description = "most alerts shown (newest first)", DefaultValueFactory = _ => 100 };
        var format = FormatOption();
        var list = new Command("list", "List stored alerts, newest first")
        {
            db, family, type, severity, minScore, entity, ip, cliIp, srvIp, port, vlan, since, until, status, limit, format,
        };
        list.SetAction(r => AlertsCommand.List(new AlertsListRequest
        {
            DbPath = r.GetValue(db)!,
            Family = r.GetValue(family),
            Types = r.GetValue(type) ?? [],
            Severity = r.GetValue(severity),
            MinScore = r.GetValue(minScore),
            Entity = r.GetValue(entity),
            Ip = r.GetValue(ip),
            CliIp = r.GetValue(cliIp),
            SrvIp = r.GetValue(srvIp),
            Port = r.GetValue(port),
            Vlan = r.GetValue(vlan),
            Since = r.GetValue(since),
            Until = r.GetValue(until),
            Status = r.GetValue(status),
            Limit = r.GetValue(limit),
            Format = r.GetValue(format),
        }, env));
        return new Command("alerts", "Read the alert store") { list };
    }

    private static Command Demo(CliEnvironment env)
    {
        var format = FormatOption();
        var db = new Option<string>("--db") { Description = "alert database file", DefaultValueFactory = _ => "tocsin-demo.db" };
        var writeCapture = new Option<string?>("--write-capture") { Description = "write the demo capture to this file instead", Hidden = true };
        var command = new Command("demo", "Analyse the demo capture shipped with Tocsin and print its alerts") { format, db, writeCapture };
        command.SetAction(r => r.GetValue(writeCapture) is { } path
            ? DemoCommand.WriteCapture(path, env)
            : DemoCommand.Run(r.GetValue(format), r.GetValue(db)!, env));
        return command;
    }
}
