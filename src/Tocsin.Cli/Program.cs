using Tocsin.Cli;

return TocsinCli.Run(args, CliEnvironment.FromConsole());
