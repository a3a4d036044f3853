using System.Diagnostics;
using System.Net;
using System.Net.Sockets;
using Npgsql;

namespace Portfolio.Tests.Infrastructure;

/// <summary>
/// A throwaway PostgreSQL server for one test run: initdb in a temporary directory, started on a free
/// loopback port with fsync off, stopped and deleted at the end. As root the server runs as <c>postgres</c>.
/// </summary>
public sealed class PostgresServer : IAsyncDisposable
{
    private readonly string _baseDirectory;
    private readonly string _binDirectory;
    private readonly bool _asPostgresUser;

    private PostgresServer(string baseDirectory, string binDirectory, int port, bool asPostgresUser)
    {
        _baseDirectory = baseDirectory;
        _binDirectory = binDirectory;
        Port = port;
        _asPostgresUser = asPostgresUser;
    }

    public int Port { get; }

    public string ConnectionString(string database) =>
        $"Host=127.0.0.1;Port={Port};Username=postgres;Database={database};Pooling=true;Maximum Pool Size=100;Timeout=15";

    /// <summary>Finds the binaries (PORTFOLIO_PG_BIN, else the newest /usr/lib/postgresql/*/bin) or says why not.</summary>
    public static string? FindBinaries(out string reason)
    {
        var candidates = new List<string>();
        var configured = Environment.GetEnvironmentVariable("PORTFOLIO_PG_BIN");
        if (!string.IsNullOrEmpty(configured))
        {
            candidates.Add(configured);
        }

        if (Directory.Exists("/usr/lib/postgresql"))
        {
            candidates.AddRange(Directory.GetDirectories("/usr/lib/postgresql")
                .OrderByDescending(d => int.TryParse(Path.GetFileName(d), out var v) ? v : 0)
                .Select(d => Path.Combine(d, "bin")));
        }

        var found = candidates.FirstOrDefault(d => File.Exists(Path.Combine(d, "initdb")) && File.Exists(Path.Combine(d, "pg_ctl")));
        reason = found is null
            ? "PostgreSQL server binaries (initdb, pg_ctl) were not found under /usr/lib/postgresql/*/bin or PORTFOLIO_PG_BIN; install postgresql (apt-get install -y postgresql) or run scripts/setup.sh"
            : "";
        return found;
    }

    /// <summary>
    /// Starts the server. Each fixture has its own database and so its own connection pool, whose idle connections
    /// stay open after the fixture ends: a whole run reaches about 190 connections, so the server allows 1,000.
    /// </summary>
    public static async Task<PostgresServer> StartAsync(string binDirectory)
    {
        var asPostgresUser = Environment.UserName == "root";
        var baseDirectory = Path.Combine(Path.GetTempPath(), "portfolio-pg-" + Guid.NewGuid().ToString("N")[..12]);
        Directory.CreateDirectory(baseDirectory);
        if (asPostgresUser)
        {
            await RunAsync("chown", ["postgres:postgres", baseDirectory], asUser: false);
        }

        var port = FreePort();
        var server = new PostgresServer(baseDirectory, binDirectory, port, asPostgresUser);
        var data = Path.Combine(baseDirectory, "data");
        await server.RunToolAsync("initdb", ["-D", data, "-U", "postgres", "-A", "trust", "-E", "UTF8", "--no-locale", "--no-sync"]);
        await server.RunToolAsync("pg_ctl", [
            "-D", data, "-l", Path.Combine(baseDirectory, "server.log"), "-w", "-t", "30",
            "-o", $"-c listen_addresses=127.0.0.1 -p {port} -k {baseDirectory} -c fsync=off -c synchronous_commit=off -c full_page_writes=off -c max_connections=1000",
            "start"]);
        return server;
    }

    public async Task CreateDatabaseAsync(string name, string? template = null)
    {
        await using var connection = new NpgsqlConnection(ConnectionString("postgres"));
        await connection.OpenAsync();
        await using var command = connection.CreateCommand();
        command.CommandText = template is null
            ? $"CREATE DATABASE \"{name}\""
            : $"CREATE DATABASE \"{name}\" TEMPLATE \"{template}\"";
        await command.ExecuteNonQueryAsync();
    }

    public async ValueTask DisposeAsync()
    {
        NpgsqlConnection.ClearAllPools();
        try
        {
            await RunToolAsync("pg_ctl", ["-D", Path.Combine(_baseDirectory, "data"), "-m", "immediate", "-w", "stop"]);
        }
        finally
        {
            try
            {
                Directory.Delete(_baseDirectory, recursive: true);
            }
            catch (IOException)
            {
                // Left for the OS to clean; the server is already stopped.
            }
        }
    }

    /// <summary>Stops the server (for fault tests); <see cref="StartAgainAsync"/> brings it back on the same port.</summary>
    public Task StopAsync() =>
        RunToolAsync("pg_ctl", ["-D", Path.Combine(_baseDirectory, "data"), "-m", "fast", "-w", "stop"]);

    public Task StartAgainAsync() =>
        RunToolAsync("pg_ctl", [
            "-D", Path.Combine(_baseDirectory, "data"), "-l", Path.Combine(_baseDirectory, "server.log"), "-w", "-t", "30",
            "-o", $"-c listen_addresses=127.0.0.1 -p {Port} -k {_baseDirectory} -c fsync=off -c synchronous_commit=off -c full_page_writes=off -c max_connections=1000",
            "start"]);

    /// <summary>Starts the server again if a test left it stopped.</summary>
    public async Task EnsureRunningAsync()
    {
        try
        {
            await using var connection = new NpgsqlConnection(ConnectionString("postgres") + ";Pooling=false");
            await connection.OpenAsync();
        }
        catch (NpgsqlException)
        {
            await StartAgainAsync();
        }
    }

    private Task RunToolAsync(string tool, IReadOnlyList<string> arguments) =>
        _asPostgresUser
            ? RunAsync("runuser", ["-u", "postgres", "--", Path.Combine(_binDirectory, tool), .. arguments], asUser: true)
            : RunAsync(Path.Combine(_binDirectory, tool), arguments, asUser: false);

    private static async Task RunAsync(string fileName, IReadOnlyList<string> arguments, bool asUser)
    {
        var info = new ProcessStartInfo(fileName)
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
            WorkingDirectory = "/tmp",
        };
        foreach (var argument in arguments)
        {
            info.ArgumentList.Add(argument);
        }

        using var process = Process.Start(info) ?? throw new InvalidOperationException($"Could not start {fileName}.");
        var stdout = process.StandardOutput.ReadToEndAsync();
        var stderr = process.StandardError.ReadToEndAsync();
        await process.WaitForExitAsync();
        if (process.ExitCode != 0)
        {
            throw new InvalidOperationException($"{fileName} {string.Join(' ', arguments)} exited {process.ExitCode}: {await stderr}{await stdout}");
        }

        _ = asUser;
    }

    private static int FreePort()
    {
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        return ((IPEndPoint)listener.LocalEndpoint).Port;
    }
}
