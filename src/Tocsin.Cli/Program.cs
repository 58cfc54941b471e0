using Tocsin.Cli;

var env = CliEnvironment.FromConsole();
try
{
    return TocsinCli.Run(args, env);
}
finally
{
    env.Flush();
}
