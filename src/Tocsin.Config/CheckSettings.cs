using Tocsin.Alerts;
using Tocsin.Checks;
using YamlDotNet.RepresentationModel;

namespace Tocsin.Config;

/// <summary>
/// The <c>checks:</c> section: per check key, <c>enabled</c>, <c>severity</c> or <c>score</c>, and the check's own
/// parameters (including <c>exclude</c>). Values are validated here and applied only if the whole file is valid.
/// </summary>
internal static class CheckSettings
{
    private static readonly string[] CommonKeys = ["enabled", "severity", "score"];

    public static void Read(YamlReader reader, YamlNode node, string path, CheckCatalog catalog, List<Action> staged)
    {
        foreach (var (key, keyNode, value, checkPath) in reader.Entries(node, path, allowed: null))
        {
            var check = catalog.Find(key);
            if (check is null)
            {
                reader.Error(keyNode, checkPath, "unknown check (see `tocsin checks list`)");
                continue;
            }
            var allowed = CommonKeys.Concat(check.Parameters.Select(p => p.Name)).ToArray();
            bool hasSeverity = false;
            foreach (var (setting, _, v, p) in reader.Entries(value, checkPath, allowed))
            {
                switch (setting)
                {
                    case "enabled":
                        if (reader.Bool(v, p) is { } enabled)
                            staged.Add(() => check.Enabled = enabled);
                        break;
                    case "severity":
                        var text = reader.Scalar(v, p);
                        if (text is null)
                            break;
                        var scored = string.Join(", ", Scores.Scored.Select(s => s.Name()));
                        if (!Scores.TryParse(text, out var severity))
                            reader.Error(v, p, $"unknown severity '{text}' ({scored})");
                        else if (!Scores.Scored.Contains(severity))
                            reader.Error(v, p, $"severity '{text}' has no score (a check's alerts would show another severity): give {scored}");
                        else
                            staged.Add(() => check.Score = Scores.FromSeverity(severity));
                        if (hasSeverity)
                            reader.Error(v, p, "give either severity or score, not both");
                        hasSeverity = true;
                        break;
                    case "score":
                        if (reader.Integer(v, p, 0, 1000) is { } score)
                            staged.Add(() => check.Score = (int)score);
                        if (hasSeverity)
                            reader.Error(v, p, "give either severity or score, not both");
                        hasSeverity = true;
                        break;
                    default:
                        ReadParameter(reader, check.FindParameter(setting)!, v, p, staged);
                        break;
                }
            }
        }
    }

    private static void ReadParameter(YamlReader reader, CheckParameter parameter, YamlNode node, string path, List<Action> staged)
    {
        string? error;
        if (parameter.IsList)
        {
            if (reader.List(node, path) is not { } items)
                return;
            var baseDir = Path.GetDirectoryName(Path.GetFullPath(reader.File)) ?? ".";
            var values = items.Select(i => parameter.TakesPaths ? Path.GetFullPath(Path.Combine(baseDir, i.Value)) : i.Value).ToList();
            error = parameter.Validate(values);
            if (error is null)
                staged.Add(() => parameter.TrySet(values));
        }
        else
        {
            if (reader.Scalar(node, path) is not { } text)
                return;
            error = parameter.Validate(text);
            if (error is null)
                staged.Add(() => parameter.TrySet(text));
        }
        if (error is not null)
            reader.Error(node, path, error);
    }
}
