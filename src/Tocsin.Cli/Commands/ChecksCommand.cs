using System.Text.Json;
using Spectre.Console;
using Tocsin.Alerts;
using Tocsin.Checks;
using Tocsin.Cli.Output;

namespace Tocsin.Cli.Commands;

/// <summary>`tocsin checks list`: every check with its key, entity, category, default state and parameters.</summary>
public static class ChecksCommand
{
    public static int List(string? configPath, OutputFormat format, CliEnvironment env)
    {
        var catalog = CheckCatalog.Discover();
        if (configPath is not null && ConfigFile.Load(configPath, catalog, env) is null)
            return ExitCodes.UsageOrConfig;
        var checks = catalog.All.OrderBy(c => c.Entity).ThenBy(c => c.Key, StringComparer.Ordinal).ToList();
        if (format == OutputFormat.Table)
        {
            var table = new Table { Border = TableBorder.Simple };
            table.AddColumn("Key");
            table.AddColumn("Entity");
            table.AddColumn("Category");
            table.AddColumn("Alert");
            table.AddColumn("Default");
            if (configPath is not null)
                table.AddColumn("Configured");
            table.AddColumn("Severity (score)");
            table.AddColumn("Parameters (default)");
            foreach (var c in checks)
            {
                var cells = new List<string>
                {
                    Markup.Escape(c.Key),
                    c.Entity.ToString().ToLowerInvariant(),
                    c.Category.Name(),
                    Markup.Escape($"{c.AlertType.FullName} ({c.AlertType.Id})"),
                    c.EnabledByDefault ? "enabled" : "disabled",
                };
                if (configPath is not null)
                    cells.Add(c.Enabled ? "[green]enabled[/]" : "disabled");
                cells.Add($"{c.Severity.Name()} ({c.Score})");
                cells.Add(Markup.Escape(string.Join("\n", c.Parameters.Select(p =>
                    $"{p.Name}={(configPath is null ? p.DefaultText : p.ValueText)} ({p.TypeName}): {p.Description}"))));
                table.AddRow(cells.ToArray());
            }
            env.OutConsole.Write(table);
            return ExitCodes.Ok;
        }

        if (format == OutputFormat.Json)
        {
            JsonOutput.Write(env.Out, indented: true, w =>
            {
                w.WriteStartArray();
                foreach (var c in checks)
                    WriteCheck(w, c);
                w.WriteEndArray();
            });
        }
        else
        {
            var lines = new JsonOutput(env.Out, indented: false);
            foreach (var c in checks)
                lines.Write(c, WriteCheck);
        }
        return ExitCodes.Ok;
    }

    private static void WriteCheck(Utf8JsonWriter w, Check c)
    {
        w.WriteStartObject();
        w.WriteString("key", c.Key);
        w.WriteString("title", c.Title);
        w.WriteString("description", c.Description);
        w.WriteString("entity", c.Entity.ToString().ToLowerInvariant());
        w.WriteString("category", c.Category.Name());
        w.WriteNumber("alert_id", c.AlertType.Id);
        w.WriteString("alert_name", c.AlertType.FullName);
        w.WriteBoolean("enabled_by_default", c.EnabledByDefault);
        w.WriteBoolean("enabled", c.Enabled);
        w.WriteString("severity", c.Severity.Name());
        w.WriteNumber("score", c.Score);
        w.WriteStartArray("parameters");
        foreach (var p in c.Parameters)
        {
            w.WriteStartObject();
            w.WriteString("name", p.Name);
            w.WriteString("type", p.TypeName);
            w.WriteString("default", p.DefaultText);
            w.WriteString("value", p.ValueText);
            w.WriteString("description", p.Description);
            w.WriteEndObject();
        }
        w.WriteEndArray();
        w.WriteEndObject();
    }
}
