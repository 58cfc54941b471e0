using System.Buffers;
using System.Text;
using System.Text.Json;
using Tocsin.Alerts;

namespace Tocsin.Cli.Output;

/// <summary>
/// Writes JSON documents (or ndjson lines) built with a Utf8JsonWriter to a text stream. An instance keeps its buffers
/// from one document to the next: a busy capture prints tens of thousands of alert lines.
/// </summary>
public sealed class JsonOutput
{
    private readonly TextWriter output;
    private readonly ArrayBufferWriter<byte> bytes = new(4096);
    private readonly Utf8JsonWriter writer;
    private char[] chars = new char[4096];

    public JsonOutput(TextWriter output, bool indented)
    {
        this.output = output;
        writer = new Utf8JsonWriter(bytes, AlertJson.WriterOptions with { Indented = indented });
    }

    /// <summary>One document on a line of its own.</summary>
    public static void Write(TextWriter output, bool indented, Action<Utf8JsonWriter> write) =>
        new JsonOutput(output, indented).Write(write, static (w, write) => write(w));

    public void Write<TState>(TState state, Action<Utf8JsonWriter, TState> write)
    {
        bytes.ResetWrittenCount();
        writer.Reset(bytes);
        write(writer, state);
        writer.Flush();
        var span = bytes.WrittenSpan;
        if (chars.Length < Encoding.UTF8.GetMaxCharCount(span.Length))
            chars = new char[Encoding.UTF8.GetMaxCharCount(span.Length)];
        var length = Encoding.UTF8.GetChars(span, chars);
        output.Write(chars.AsSpan(0, length));
        output.WriteLine();
    }
}
