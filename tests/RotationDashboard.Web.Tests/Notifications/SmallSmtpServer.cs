using System.Collections.Concurrent;
using System.Net;
using System.Net.Sockets;
using System.Text;

namespace RotationDashboard.Web.Tests.Notifications;

/// <summary>
/// Just enough SMTP (RFC 5321) for the tests: greeting, EHLO (with or without STARTTLS and AUTH PLAIN), MAIL, RCPT,
/// DATA, QUIT. No TLS: it lets the tests see the sender refuse to go on without it. Written here because Debian's
/// python3-aiosmtpd is not installed on every machine that runs the tests.
/// </summary>
public sealed class SmallSmtpServer : IAsyncDisposable
{
    private readonly TcpListener _listener = new(IPAddress.Loopback, 0);
    private readonly CancellationTokenSource _stop = new();
    private readonly Task _loop;

    public SmallSmtpServer(bool advertiseStartTls = false)
    {
        AdvertiseStartTls = advertiseStartTls;
        _listener.Start();
        _loop = Task.Run(AcceptAsync);
    }

    public bool AdvertiseStartTls { get; }

    public int Port => ((IPEndPoint)_listener.LocalEndpoint).Port;

    public ConcurrentQueue<string> Messages { get; } = new();

    /// <summary>Everything the client sent, commands and data, for "no secret on the wire" checks.</summary>
    public ConcurrentQueue<string> Transcript { get; } = new();

    private async Task AcceptAsync()
    {
        while (!_stop.IsCancellationRequested)
        {
            TcpClient client;
            try { client = await _listener.AcceptTcpClientAsync(_stop.Token); }
            catch (OperationCanceledException) { return; }
            catch (SocketException) { return; }
            _ = Task.Run(() => ServeAsync(client));
        }
    }

    private async Task ServeAsync(TcpClient client)
    {
        using var _ = client;
        try
        {
            var stream = client.GetStream();
            using var reader = new StreamReader(stream, Encoding.ASCII);
            await using var writer = new StreamWriter(stream, Encoding.ASCII) { NewLine = "\r\n", AutoFlush = true };
            await writer.WriteLineAsync("220 localhost test SMTP");
            while (await reader.ReadLineAsync() is { } line)
            {
                Transcript.Enqueue(line);
                var verb = line.Split(' ')[0].ToUpperInvariant();
                switch (verb)
                {
                    case "EHLO":
                        await writer.WriteLineAsync("250-localhost");
                        if (AdvertiseStartTls) await writer.WriteLineAsync("250-STARTTLS");
                        await writer.WriteLineAsync("250-AUTH PLAIN");
                        await writer.WriteLineAsync("250 8BITMIME");
                        break;
                    case "HELO":
                        await writer.WriteLineAsync("250 localhost");
                        break;
                    case "STARTTLS":
                        await writer.WriteLineAsync("454 TLS not available");
                        break;
                    case "AUTH":
                        await writer.WriteLineAsync("235 ok");
                        break;
                    case "MAIL":
                    case "RCPT":
                    case "RSET":
                    case "NOOP":
                        await writer.WriteLineAsync("250 ok");
                        break;
                    case "DATA":
                        await writer.WriteLineAsync("354 go ahead");
                        var message = new StringBuilder();
                        while (await reader.ReadLineAsync() is { } data && data != ".")
                        {
                            message.AppendLine(data);
                        }

                        Messages.Enqueue(message.ToString());
                        Transcript.Enqueue(message.ToString());
                        await writer.WriteLineAsync("250 queued");
                        break;
                    case "QUIT":
                        await writer.WriteLineAsync("221 bye");
                        return;
                    default:
                        await writer.WriteLineAsync("502 not implemented");
                        break;
                }
            }
        }
        catch (IOException)
        {
        }
    }

    public async ValueTask DisposeAsync()
    {
        await _stop.CancelAsync();
        _listener.Stop();
        try { await _loop; } catch (OperationCanceledException) { }
    }
}
