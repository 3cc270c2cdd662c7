using System.Collections.Concurrent;
using System.Net;
using System.Net.Sockets;
using System.Text;

namespace RotationDashboard.Web.Tests.Infrastructure;

/// <summary>A webhook receiver on a loopback port: records every request and answers with the status the test sets.</summary>
public sealed class LoopbackReceiver : IAsyncDisposable
{
    private readonly HttpListener _listener = new();
    private readonly CancellationTokenSource _stop = new();
    private readonly Task _loop;

    public LoopbackReceiver()
    {
        var port = FreePort();
        Url = new Uri($"http://127.0.0.1:{port}/hook/");
        _listener.Prefixes.Add(Url.ToString());
        _listener.Start();
        _loop = Task.Run(LoopAsync);
    }

    public Uri Url { get; }

    /// <summary>The status to answer (200 unless a test says otherwise).</summary>
    public int Status { get; set; } = 200;

    public ConcurrentQueue<ReceivedRequest> Requests { get; } = new();

    private async Task LoopAsync()
    {
        while (!_stop.IsCancellationRequested)
        {
            HttpListenerContext context;
            try { context = await _listener.GetContextAsync(); }
            catch (Exception) when (_stop.IsCancellationRequested) { return; }
            catch (HttpListenerException) { return; }
            using var reader = new StreamReader(context.Request.InputStream, Encoding.UTF8);
            var body = await reader.ReadToEndAsync();
            var headers = context.Request.Headers.AllKeys.Where(k => k is not null).ToDictionary(k => k!, k => context.Request.Headers[k] ?? "", StringComparer.OrdinalIgnoreCase);
            Requests.Enqueue(new ReceivedRequest(DateTimeOffset.UtcNow, context.Request.HttpMethod, context.Request.ContentType, headers, body));
            context.Response.StatusCode = Status;
            context.Response.Close();
        }
    }

    private static int FreePort()
    {
        var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        var port = ((IPEndPoint)listener.LocalEndpoint).Port;
        listener.Stop();
        return port;
    }

    public async ValueTask DisposeAsync()
    {
        await _stop.CancelAsync();
        _listener.Stop();
        _listener.Close();
        try { await _loop; } catch (ObjectDisposedException) { }
    }
}

public sealed record ReceivedRequest(DateTimeOffset At, string Method, string? ContentType, IReadOnlyDictionary<string, string> Headers, string Body)
{
    public string? Header(string name) => Headers.TryGetValue(name, out var value) ? value : null;
}
