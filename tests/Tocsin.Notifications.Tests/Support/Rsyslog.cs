using System.Diagnostics;
using System.Net.Sockets;
using Tocsin.Testing;

namespace Tocsin.Notifications.Tests;

/// <summary>One line rsyslog wrote, split into the fields its template names.</summary>
public sealed record SyslogLine(string Input, int Pri, int Facility, int Severity, string Timestamp, string Hostname, string AppName,
    string ProcId, string MsgId, string Msg)
{
    public static SyslogLine Parse(string line)
    {
        var f = line.Split('|', 10);
        return new SyslogLine(f[0], int.Parse(f[1]), int.Parse(f[2]), int.Parse(f[3]), f[4], f[5], f[6], f[7], f[8], f[9]);
    }
}

/// <summary>
/// A real rsyslogd (Debian's package) on loopback: UDP and TCP inputs on free ports, two local datagram sockets
/// (one parsed as the system's /dev/log is, one with the regular parsers that read RFC 5424), everything written
/// to one file through a template that keeps each header field apart. The system's /dev/log is left alone.
/// </summary>
public sealed class Rsyslog : IAsyncLifetime
{
    private readonly TempDirectory dir = new();
    private Process? process;
    private int probes;

    public int UdpPort { get; } = FreePort.Udp();
    public int TcpPort { get; } = FreePort.Tcp();

    /// <summary>Parsed like the system log socket (imuxsock's special parser: traditional local format).</summary>
    public string LocalSocket => dir.File("log");

    /// <summary>Parsed by the regular parser chain, so RFC 5424 messages keep their fields.</summary>
    public string Rfc5424Socket => dir.File("log5424");

    public string OutputFile => dir.File("messages.log");

    public async Task InitializeAsync()
    {
        var conf = dir.File("rsyslog.conf");
        await File.WriteAllTextAsync(conf, $"""
            global(workDirectory="{dir.Path}" maxMessageSize="64k")
            module(load="imudp")
            module(load="imtcp")
            module(load="imuxsock" SysSock.Use="off")
            input(type="imudp" address="127.0.0.1" port="{UdpPort}")
            input(type="imtcp" address="127.0.0.1" port="{TcpPort}")
            input(type="imuxsock" Socket="{LocalSocket}")
            input(type="imuxsock" Socket="{Rfc5424Socket}" UseSpecialParser="off" ParseHostname="on")
            template(name="fields" type="string"
                     string="%inputname%|%pri%|%syslogfacility%|%syslogseverity%|%timereported:::date-rfc3339%|%hostname%|%app-name%|%procid%|%msgid%|%msg%\n")
            *.* action(type="omfile" file="{OutputFile}" template="fields")
            """);
        try
        {
            process = Process.Start(new ProcessStartInfo("rsyslogd", ["-n", "-f", conf, "-i", dir.File("rsyslogd.pid")])
            {
                RedirectStandardOutput = true,
                RedirectStandardError = true,
            })!;
        }
        catch (System.ComponentModel.Win32Exception e)
        {
            throw new InvalidOperationException("rsyslogd cannot be started (Debian package rsyslog: apt-get install rsyslog)", e);
        }
        // Ready when a probe sent over UDP comes out in the file (TCP and the sockets open before UDP is read).
        var deadline = DateTime.UtcNow + TimeSpan.FromSeconds(20);
        using var udp = new UdpClient();
        while (true)
        {
            var marker = $"probe-{++probes}";
            await udp.SendAsync(System.Text.Encoding.ASCII.GetBytes($"<14>1 - - probe - - - {marker}"), new System.Net.IPEndPoint(System.Net.IPAddress.Loopback, UdpPort));
            await Task.Delay(100);
            if (File.Exists(OutputFile) && (await File.ReadAllTextAsync(OutputFile)).Contains(marker, StringComparison.Ordinal) && File.Exists(LocalSocket) && File.Exists(Rfc5424Socket))
                break;
            if (process.HasExited || DateTime.UtcNow > deadline)
                throw new InvalidOperationException($"rsyslogd is not ready: {await process.StandardError.ReadToEndAsync()}");
        }
    }

    /// <summary>The lines holding <paramref name="marker"/>, once <paramref name="count"/> of them arrived.</summary>
    public async Task<List<SyslogLine>> LinesAsync(string marker, int count, TimeSpan? timeout = null)
    {
        var deadline = DateTime.UtcNow + (timeout ?? TimeSpan.FromSeconds(10));
        while (true)
        {
            var lines = (await File.ReadAllLinesAsync(OutputFile)).Where(l => l.Contains(marker, StringComparison.Ordinal)).Select(SyslogLine.Parse).ToList();
            if (lines.Count >= count)
                return lines;
            if (DateTime.UtcNow > deadline)
                throw new TimeoutException($"{lines.Count} of {count} syslog lines with {marker} arrived:\n{await File.ReadAllTextAsync(OutputFile)}");
            await Task.Delay(50);
        }
    }

    public async Task DisposeAsync()
    {
        if (process is { HasExited: false })
        {
            process.Kill();
            await process.WaitForExitAsync();
        }
        process?.Dispose();
        dir.Dispose();
    }
}
