using System.Globalization;
using System.Text;

namespace RotationDashboard.Benchmarks.Infrastructure;

/// <summary>Renders rows as a GitHub-flavoured Markdown table with padded columns (readable as plain text too).</summary>
public static class MarkdownTable
{
    public static string Render(IReadOnlyList<string> headers, IEnumerable<IReadOnlyList<string>> rows, ISet<int>? rightAligned = null)
    {
        ArgumentNullException.ThrowIfNull(headers);
        ArgumentNullException.ThrowIfNull(rows);
        var body = rows.Select(r => r.Select(Escape).ToArray()).ToList();
        if (body.Any(r => r.Length != headers.Count))
            throw new ArgumentException("Every row needs one cell per header.", nameof(rows));

        var widths = headers.Select((h, i) => Math.Max(3, body.Select(r => r[i].Length).Append(h.Length).Max())).ToArray();
        var text = new StringBuilder();
        AppendRow(text, headers.Select(Escape).ToArray(), widths, rightAligned);
        text.Append('|');
        for (var i = 0; i < widths.Length; i++)
            text.Append(' ').Append(rightAligned?.Contains(i) == true ? new string('-', widths[i] - 1) + ":" : new string('-', widths[i])).Append(" |");
        text.AppendLine();
        foreach (var row in body)
            AppendRow(text, row, widths, rightAligned);
        return text.ToString();
    }

    /// <summary>The standard benchmark table: name, parameters, count, total, mean, p50, p95, p99, max, throughput, notes.</summary>
    public static string Render(IEnumerable<BenchmarkRow> rows)
    {
        string[] headers = ["Benchmark", "Parameters", "Count", "Total", "Mean", "p50", "p95", "p99", "Max", "Throughput", "Notes"];
        var cells = rows.Select(r => (IReadOnlyList<string>)
        [
            r.Name,
            r.Parameters,
            r.Latency.Count.ToString("N0", CultureInfo.InvariantCulture),
            Format.Duration(r.Total),
            Format.Duration(r.Latency.Mean),
            Format.Duration(r.Latency.P50),
            Format.Duration(r.Latency.P95),
            Format.Duration(r.Latency.P99),
            Format.Duration(r.Latency.Max),
            Format.Rate(r.Throughput, r.Unit),
            r.Notes ?? "",
        ]);
        return Render(headers, cells, new HashSet<int> { 2, 3, 4, 5, 6, 7, 8, 9 });
    }

    private static void AppendRow(StringBuilder text, string[] cells, int[] widths, ISet<int>? rightAligned)
    {
        text.Append('|');
        for (var i = 0; i < cells.Length; i++)
        {
            var cell = rightAligned?.Contains(i) == true ? cells[i].PadLeft(widths[i]) : cells[i].PadRight(widths[i]);
            text.Append(' ').Append(cell).Append(" |");
        }

        text.AppendLine();
    }

    private static string Escape(string cell) => cell.Replace("|", "\\|", StringComparison.Ordinal).ReplaceLineEndings(" ");
}

public static class Format
{
    /// <summary>µs below 1 ms, ms below 1 s, else s; three significant-ish digits.</summary>
    public static string Duration(TimeSpan value)
    {
        var ms = value.TotalMilliseconds;
        return ms switch
        {
            < 1 => (ms * 1000).ToString("0.0", CultureInfo.InvariantCulture) + " µs",
            < 1000 => ms.ToString(ms < 10 ? "0.00" : ms < 100 ? "0.0" : "0", CultureInfo.InvariantCulture) + " ms",
            _ => value.TotalSeconds.ToString("0.00", CultureInfo.InvariantCulture) + " s",
        };
    }

    public static string Rate(double perSecond, string unit) =>
        perSecond.ToString(perSecond < 10 ? "0.00" : perSecond < 1000 ? "0.0" : "N0", CultureInfo.InvariantCulture) + $" {unit}/s";
}
