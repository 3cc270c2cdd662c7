using System.Text.Json.Serialization;

namespace RotationDashboard.Auth0;

/// <summary>Query of <c>GET /clients</c>. Page is 0-based; PerPage is at most 100.</summary>
public sealed record ListClientsRequest
{
    public const int MaxPerPage = 100;

    public int? Page { get; init; }

    public int? PerPage { get; init; }

    /// <summary>True asks for <c>{start,limit,total,clients}</c> instead of a bare array.</summary>
    public bool IncludeTotals { get; init; } = true;

    /// <summary>Members to return (or, with IncludeFields false, to leave out).</summary>
    public IReadOnlyList<string>? Fields { get; init; }

    public bool? IncludeFields { get; init; }

    /// <summary>Filter by <c>app_type</c>, e.g. <c>non_interactive</c>, <c>regular_web</c>.</summary>
    public IReadOnlyList<string>? AppTypes { get; init; }

    public bool? IsGlobal { get; init; }

    internal void Validate()
    {
        if (Page is < 0)
            throw new ArgumentOutOfRangeException(nameof(Page), Page, "Page is 0-based and cannot be negative.");
        if (PerPage is < 1 or > MaxPerPage)
            throw new ArgumentOutOfRangeException(nameof(PerPage), PerPage, $"PerPage must be between 1 and {MaxPerPage}.");
    }
}

/// <summary>One page of clients. Total is null when Auth0 answered without totals (a bare array).</summary>
public sealed record Auth0ClientPage(IReadOnlyList<Auth0Client> Clients, int Start, int Limit, int? Total);

internal sealed record Auth0ClientListResponse
{
    [JsonPropertyName("start")]
    public int Start { get; init; }

    [JsonPropertyName("limit")]
    public int Limit { get; init; }

    [JsonPropertyName("total")]
    public int? Total { get; init; }

    [JsonPropertyName("clients")]
    public List<Auth0Client> Clients { get; init; } = [];
}
