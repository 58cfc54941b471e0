using System.Text;
using System.Text.Json;
using Tocsin.Alerts;

namespace Tocsin.Cli.Output;

/// <summary>Writes one JSON document (or ndjson line) built with a Utf8JsonWriter to a text stream.</summary>
public static class JsonOutput
{
    public static void Write(TextWriter output, bool indented, Action<Utf8JsonWriter> write)
    {
        using var stream = new MemoryStream();
        using (var w = new Utf8JsonWriter(stream, AlertJson.WriterOptions with { Indented = indented }))
            write(w);
        output.WriteLine(Encoding.UTF8.GetString(stream.ToArray()));
    }
}
