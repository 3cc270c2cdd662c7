using System.Diagnostics;
using System.Runtime.InteropServices;
using RotationDashboard.Benchmarks.Infrastructure;

// Usage: RotationDashboard.Benchmarks <name>|all|list
// Prints a Markdown report on stdout (progress on stderr). Exit codes: 0 done, 1 a benchmark failed, 2 bad usage.

var askedForHelp = args.Length == 1 && args[0] is "-h" or "--help" or "help" or "list";
if (args.Length != 1 || askedForHelp)
{
    var output = askedForHelp ? Console.Out : Console.Error;
    output.WriteLine("Usage: dotnet run -c Release --project bench/RotationDashboard.Benchmarks -- <name>|all");
    output.WriteLine();
    foreach (var benchmark in BenchmarkRegistry.All)
        output.WriteLine($"  {benchmark.Name,-14} {benchmark.Description}");
    return askedForHelp ? 0 : 2;
}

IReadOnlyList<IBenchmark> selected;
if (string.Equals(args[0], "all", StringComparison.OrdinalIgnoreCase))
{
    selected = BenchmarkRegistry.All;
}
else if (BenchmarkRegistry.Find(args[0]) is { } one)
{
    selected = [one];
}
else
{
    Console.Error.WriteLine($"Unknown benchmark '{args[0]}'. Known: {string.Join(", ", BenchmarkRegistry.All.Select(b => b.Name))}, all.");
    return 2;
}

using var cancellation = new CancellationTokenSource();
Console.CancelKeyPress += (_, e) =>
{
    e.Cancel = true;
    cancellation.Cancel();
};

#if DEBUG
Console.Error.WriteLine("Warning: a Debug build; run with -c Release for figures worth quoting.");
#endif

Console.WriteLine("# Rotation Dashboard benchmarks");
Console.WriteLine();
Console.WriteLine($"{DateTimeOffset.UtcNow:yyyy-MM-dd HH:mm} UTC · {Environment.ProcessorCount} logical cores · " +
                  $"{RuntimeInformation.OSDescription} · .NET {Environment.Version} · {RuntimeInformation.ProcessArchitecture}");
Console.WriteLine();

var context = new BenchmarkContext(Console.Error);
var failed = false;
foreach (var benchmark in selected)
{
    Console.Error.WriteLine($"Running {benchmark.Name}...");
    var stopwatch = Stopwatch.StartNew();
    try
    {
        var rows = await benchmark.RunAsync(context, cancellation.Token);
        Console.WriteLine($"## {benchmark.Name}");
        Console.WriteLine();
        Console.WriteLine(benchmark.Description);
        Console.WriteLine();
        Console.Write(MarkdownTable.Render(rows));
        Console.WriteLine();
        Console.Error.WriteLine($"Finished {benchmark.Name} in {Format.Duration(stopwatch.Elapsed)}.");
    }
    catch (OperationCanceledException) when (cancellation.IsCancellationRequested)
    {
        Console.Error.WriteLine("Cancelled.");
        return 1;
    }
    catch (Exception exception)
    {
        failed = true;
        Console.WriteLine($"## {benchmark.Name}");
        Console.WriteLine();
        Console.WriteLine($"FAILED: {exception.GetType().Name}: {exception.Message}");
        Console.WriteLine();
        Console.Error.WriteLine(exception);
    }
}

return failed ? 1 : 0;
