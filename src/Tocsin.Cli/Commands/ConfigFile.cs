using Tocsin.Checks;
using Tocsin.Config;

namespace Tocsin.Cli.Commands;

/// <summary>Loading tocsin.yaml for a command.</summary>
public static class ConfigFile
{
    /// <summary>The config at <paramref name="path"/> applied to <paramref name="checks"/>, or null after printing each
    /// error as "file:line:column: key: reason".</summary>
    public static TocsinConfig? Load(string path, CheckCatalog checks, CliEnvironment env)
    {
        try
        {
            return ConfigLoader.Load(path, checks);
        }
        catch (ConfigException e)
        {
            foreach (var error in e.Errors)
                env.Fail(error.ToString());
            return null;
        }
    }
}
