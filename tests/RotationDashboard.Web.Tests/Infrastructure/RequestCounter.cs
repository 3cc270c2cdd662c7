using System.Collections.Concurrent;

namespace RotationDashboard.Web.Tests.Infrastructure;

/// <summary>Requests the sandbox tenant received (method and path), to prove an operation made no Auth0 change.</summary>
public sealed class RequestCounter
{
    private readonly ConcurrentQueue<string> _requests = new();

    public int Count => _requests.Count;

    public IReadOnlyList<string> All => _requests.ToList();

    public IReadOnlyList<string> Mutations => _requests.Where(r => !r.StartsWith("GET ", StringComparison.Ordinal) && !r.StartsWith("POST /oauth/token", StringComparison.Ordinal)).ToList();

    public void Add(string method, string path) => _requests.Enqueue($"{method} {path}");

    public void Clear() => _requests.Clear();
}
