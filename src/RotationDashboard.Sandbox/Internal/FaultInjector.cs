using System.Text.RegularExpressions;

namespace RotationDashboard.Sandbox.Internal;

internal enum FaultAction
{
    None,
    Fail,
    Timeout,
}

internal sealed record FaultDecision(TimeSpan Latency, FaultAction Action, int StatusCode, string? Body, bool FromRule)
{
    public static FaultDecision Pass { get; } = new(TimeSpan.Zero, FaultAction.None, 0, null, false);
}

/// <summary>Holds the current faults and decides, per request, what (if anything) goes wrong.</summary>
internal sealed class FaultInjector
{
    private readonly Lock _gate = new();
    private SandboxFaults _faults = SandboxFaults.None;
    private readonly List<ActiveRule> _rules = [];

    private sealed class ActiveRule(SandboxFailureRule rule)
    {
        public SandboxFailureRule Rule { get; } = rule;
        public Regex Path { get; } = GlobToRegex(rule.PathPattern);
        public int Remaining { get; set; } = rule.Times;
    }

    /// <summary>The current faults, with each scripted failure's remaining count.</summary>
    public SandboxFaults Current
    {
        get
        {
            lock (_gate)
                return _faults with { Failures = _rules.Select(r => r.Rule with { Times = r.Remaining }).ToList() };
        }
    }

    public void Set(SandboxFaults faults)
    {
        Validate(faults);
        lock (_gate)
        {
            _faults = faults with { Failures = [] };
            _rules.Clear();
            _rules.AddRange(faults.Failures.Select(r => new ActiveRule(r)));
        }
    }

    public void AddFailure(SandboxFailureRule rule)
    {
        ValidateRule(rule);
        lock (_gate)
            _rules.Add(new ActiveRule(rule));
    }

    public void Clear() => Set(SandboxFaults.None);

    public FaultDecision Decide(SandboxFaultTargets target, string method, string relativePath)
    {
        lock (_gate)
        {
            var applies = target != SandboxFaultTargets.None && (_faults.Targets & target) == target;
            var latency = applies ? _faults.Latency : TimeSpan.Zero;

            var rule = _rules.FirstOrDefault(r =>
                (r.Rule.Method == "*" || string.Equals(r.Rule.Method, method, StringComparison.OrdinalIgnoreCase))
                && r.Path.IsMatch(relativePath));
            if (rule is not null)
            {
                if (--rule.Remaining <= 0)
                    _rules.Remove(rule);
                return new FaultDecision(latency, FaultAction.Fail, rule.Rule.StatusCode, rule.Rule.Body, true);
            }

            if (applies && _faults.TimeoutRate > 0 && Random.Shared.NextDouble() < _faults.TimeoutRate)
                return new FaultDecision(latency, FaultAction.Timeout, 504, null, false);
            if (applies && _faults.ErrorRate > 0 && Random.Shared.NextDouble() < _faults.ErrorRate)
                return new FaultDecision(latency, FaultAction.Fail, _faults.ErrorStatusCode, null, false);
            return latency > TimeSpan.Zero ? FaultDecision.Pass with { Latency = latency } : FaultDecision.Pass;
        }
    }

    public TimeSpan TimeoutDelay
    {
        get { lock (_gate) return _faults.TimeoutDelay; }
    }

    private static void Validate(SandboxFaults faults)
    {
        if (faults.Latency < TimeSpan.Zero || faults.Latency > TimeSpan.FromMinutes(5))
            throw new ArgumentException("Latency must be between 0 and 5 minutes.", nameof(faults));
        if (faults.ErrorRate is < 0 or > 1 || double.IsNaN(faults.ErrorRate))
            throw new ArgumentException("ErrorRate must be between 0 and 1.", nameof(faults));
        if (faults.TimeoutRate is < 0 or > 1 || double.IsNaN(faults.TimeoutRate))
            throw new ArgumentException("TimeoutRate must be between 0 and 1.", nameof(faults));
        if (faults.ErrorStatusCode is < 500 or > 599)
            throw new ArgumentException("ErrorStatusCode must be a 5xx status.", nameof(faults));
        if (faults.TimeoutDelay <= TimeSpan.Zero || faults.TimeoutDelay > TimeSpan.FromMinutes(30))
            throw new ArgumentException("TimeoutDelay must be between 0 and 30 minutes.", nameof(faults));
        foreach (var rule in faults.Failures)
            ValidateRule(rule);
    }

    private static void ValidateRule(SandboxFailureRule rule)
    {
        if (string.IsNullOrWhiteSpace(rule.Method))
            throw new ArgumentException("A failure rule needs a method (or *).", nameof(rule));
        if (string.IsNullOrWhiteSpace(rule.PathPattern) || !rule.PathPattern.StartsWith('/'))
            throw new ArgumentException("A failure rule's path pattern must start with '/'.", nameof(rule));
        if (rule.StatusCode is < 400 or > 599)
            throw new ArgumentException("A failure rule's status code must be 4xx or 5xx.", nameof(rule));
        if (rule.Times < 1)
            throw new ArgumentException("A failure rule must apply at least once.", nameof(rule));
    }

    private static Regex GlobToRegex(string pattern)
    {
        var escaped = Regex.Escape(pattern.TrimEnd('/'))
            .Replace(@"\*\*", "\u0001", StringComparison.Ordinal)
            .Replace(@"\*", "[^/]*", StringComparison.Ordinal)
            .Replace("\u0001", ".*", StringComparison.Ordinal);
        return new Regex("^" + escaped + "/?$", RegexOptions.IgnoreCase | RegexOptions.CultureInvariant);
    }
}
