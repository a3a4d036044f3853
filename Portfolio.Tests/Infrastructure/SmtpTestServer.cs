using System.Diagnostics;
using System.Net;
using System.Net.Sockets;
using MimeKit;

namespace Portfolio.Tests.Infrastructure;

/// <summary>
/// A real SMTP server on 127.0.0.1 for the email tests: Debian's aiosmtpd, run with the system Python, saving each
/// message it accepts into a maildir. It can be stopped and started again on the same port.
/// </summary>
public sealed class SmtpTestServer : IDisposable
{
    private readonly string _root;
    private Process? _process;

    private SmtpTestServer(int port, string root)
    {
        Port = port;
        _root = root;
    }

    public int Port { get; }

    public string Maildir => Path.Combine(_root, "maildir");

    public static string? UnavailableReason()
    {
        if (!File.Exists("/usr/bin/python3"))
        {
            return "/usr/bin/python3 is missing";
        }

        using var probe = Process.Start(new ProcessStartInfo("/usr/bin/python3", "-c \"import aiosmtpd\"") { RedirectStandardError = true, UseShellExecute = false })!;
        probe.WaitForExit();
        return probe.ExitCode == 0 ? null : "aiosmtpd is not installed for /usr/bin/python3: apt-get install -y python3-aiosmtpd (scripts/setup.sh does)";
    }

    /// <summary>Starts a server, or ignores the test (fails it under CI) when aiosmtpd is not there.</summary>
    public static async Task<SmtpTestServer> StartAsync()
    {
        if (UnavailableReason() is { } reason)
        {
            if (TestEnvironment.IsCi)
            {
                Assert.Fail("CI is set, so the SMTP tests must run: " + reason);
            }

            Assert.Ignore(reason);
        }

        var root = Path.Combine(Path.GetTempPath(), "portfolio-smtp-" + Guid.NewGuid().ToString("N")[..10]);
        Directory.CreateDirectory(root);
        var server = new SmtpTestServer(FreePort(), root);
        await server.StartAgainAsync();
        return server;
    }

    public async Task StartAgainAsync()
    {
        var info = new ProcessStartInfo("/usr/bin/python3") { UseShellExecute = false, RedirectStandardError = true, RedirectStandardOutput = true };
        foreach (var argument in new[] { "-m", "aiosmtpd", "-n", "-l", $"127.0.0.1:{Port}", "-c", "aiosmtpd.handlers.Mailbox", Maildir })
        {
            info.ArgumentList.Add(argument);
        }

        _process = Process.Start(info)!;
        var deadline = DateTime.UtcNow.AddSeconds(15);
        while (DateTime.UtcNow < deadline)
        {
            try
            {
                using var client = new TcpClient();
                await client.ConnectAsync(IPAddress.Loopback, Port);
                return;
            }
            catch (SocketException)
            {
                await Task.Delay(100);
            }
        }

        throw new InvalidOperationException("aiosmtpd did not start listening: " + await _process.StandardError.ReadToEndAsync());
    }

    public void Stop()
    {
        if (_process is { HasExited: false })
        {
            _process.Kill(entireProcessTree: true);
            _process.WaitForExit();
        }

        _process?.Dispose();
        _process = null;
    }

    /// <summary>The host settings that send email through this server (jobs in process, the schedule not run at start).</summary>
    public IReadOnlyDictionary<string, string?> HostSettings() => new Dictionary<string, string?>
    {
        ["Portfolio:Organisation:Name"] = "Test Partnership",
        ["Portfolio:Email:Mode"] = "Smtp",
        ["Portfolio:Email:From"] = "Reports <reports@partnership.example>",
        ["Portfolio:Email:Smtp:Host"] = "127.0.0.1",
        ["Portfolio:Email:Smtp:Port"] = Port.ToString(System.Globalization.CultureInfo.InvariantCulture),
        ["Portfolio:Jobs:Schedule:OnStart"] = "false",
        ["Portfolio:Jobs:RunInProcess"] = "true",
        ["Portfolio:Jobs:Delivery:RetryDelaysSeconds"] = "1,1,1,2",
    };

    /// <summary>Every message the server has accepted so far.</summary>
    public IReadOnlyList<MimeMessage> Messages()
    {
        var folder = Path.Combine(Maildir, "new");
        if (!Directory.Exists(folder))
        {
            return [];
        }

        return Directory.GetFiles(folder).Order(StringComparer.Ordinal).Select(f => MimeMessage.Load(f)).ToList();
    }

    public void Dispose()
    {
        Stop();
        try
        {
            Directory.Delete(_root, recursive: true);
        }
        catch (IOException)
        {
        }
    }

    private static int FreePort()
    {
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        return ((IPEndPoint)listener.LocalEndpoint).Port;
    }
}
