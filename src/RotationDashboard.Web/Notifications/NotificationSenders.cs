using System.Diagnostics;
using System.Net.Http.Headers;
using System.Text;
using System.Text.Json;
using MailKit.Net.Smtp;
using MailKit.Security;
using MimeKit;
using RotationDashboard.Core.Notifications;

namespace RotationDashboard.Web.Notifications;

/// <summary>One attempt's outcome, for the delivery log. <see cref="Error"/> never holds a URL, secret or body.</summary>
public sealed record DeliveryAttempt(bool Succeeded, int? StatusCode, string? Error, TimeSpan Duration)
{
    public static DeliveryAttempt Failed(string error, TimeSpan duration, int? statusCode = null) => new(false, statusCode, error, duration);
}

/// <summary>Sends one event to one channel, once; retries are the worker's (persisted) business.</summary>
public sealed class NotificationSender(
    IHttpClientFactory httpClientFactory,
    NotificationAddressPolicy addressPolicy,
    NotificationLinks links,
    TimeProvider timeProvider)
{
    public const string HttpClientName = "notifications";

    public async Task<DeliveryAttempt> SendAsync(
        NotificationChannel channel, string? secret, NotificationEvent notification, Guid deliveryId, TimeSpan timeout, CancellationToken cancellationToken)
    {
        var settings = JsonSerializer.Deserialize<ChannelSettings>(channel.Settings, NotificationOutbox.Json) ?? new ChannelSettings();
        var started = Stopwatch.GetTimestamp();
        using var limit = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        limit.CancelAfter(timeout);
        try
        {
            return channel.Kind switch
            {
                ChannelKinds.Webhook => await PostAsync(settings.Url, NotificationPayloads.Webhook(notification, links.For(notification)),
                    (request, body) =>
                    {
                        request.Headers.Add(WebhookSignature.EventTypeHeader, notification.Type);
                        request.Headers.Add(WebhookSignature.DeliveryIdHeader, deliveryId.ToString());
                        if (!string.IsNullOrEmpty(secret))
                        {
                            request.Headers.Add(WebhookSignature.HeaderName, WebhookSignature.Header(secret, timeProvider.GetUtcNow(), body));
                        }
                    }, started, limit.Token),
                ChannelKinds.Slack => await PostAsync(secret, NotificationPayloads.Slack(notification, links.For(notification)), (_, _) => { }, started, limit.Token),
                ChannelKinds.Email => await SendMailAsync(settings, secret, notification, started, limit.Token),
                _ => DeliveryAttempt.Failed($"Unknown channel kind '{channel.Kind}'.", Stopwatch.GetElapsedTime(started)),
            };
        }
        catch (OperationCanceledException) when (!cancellationToken.IsCancellationRequested)
        {
            return DeliveryAttempt.Failed($"Timed out after {timeout.TotalSeconds:0.#} s.", Stopwatch.GetElapsedTime(started));
        }
    }

    private async Task<DeliveryAttempt> PostAsync(
        string? url, string body, Action<HttpRequestMessage, string> decorate, long started, CancellationToken cancellationToken)
    {
        if (!Uri.TryCreate(url, UriKind.Absolute, out var uri))
        {
            return DeliveryAttempt.Failed("The channel has no valid URL.", Stopwatch.GetElapsedTime(started));
        }

        using var request = new HttpRequestMessage(HttpMethod.Post, uri)
        {
            Content = new StringContent(body, Encoding.UTF8, new MediaTypeHeaderValue("application/json")),
        };
        decorate(request, body);
        try
        {
            using var response = await httpClientFactory.CreateClient(HttpClientName).SendAsync(request, HttpCompletionOption.ResponseHeadersRead, cancellationToken);
            var code = (int)response.StatusCode;
            return response.IsSuccessStatusCode
                ? new DeliveryAttempt(true, code, null, Stopwatch.GetElapsedTime(started))
                : DeliveryAttempt.Failed($"HTTP {code} {response.ReasonPhrase}", Stopwatch.GetElapsedTime(started), code);
        }
        catch (HttpRequestException ex)
        {
            // The message of a refused or failed connection names the host at most, never the path (a Slack URL's token).
            var reason = ex.InnerException is RotationDashboard.Auth0.Auth0AddressRefusedException
                ? "Refused: the host resolves to a non-public address."
                : $"Connection failed ({ex.HttpRequestError}).";
            return DeliveryAttempt.Failed(reason, Stopwatch.GetElapsedTime(started));
        }
    }

    private async Task<DeliveryAttempt> SendMailAsync(
        ChannelSettings settings, string? password, NotificationEvent notification, long started, CancellationToken cancellationToken)
    {
        if (string.IsNullOrWhiteSpace(settings.SmtpHost) || string.IsNullOrWhiteSpace(settings.From) || string.IsNullOrWhiteSpace(settings.To))
        {
            return DeliveryAttempt.Failed("The e-mail channel needs a host, a sender and recipients.", Stopwatch.GetElapsedTime(started));
        }

        if (await addressPolicy.CheckHostAsync(settings.SmtpHost, cancellationToken) is { } refused)
        {
            return DeliveryAttempt.Failed(refused, Stopwatch.GetElapsedTime(started));
        }

        var message = new MimeMessage();
        message.From.Add(MailboxAddress.Parse(settings.From));
        foreach (var to in settings.To.Split([',', ';'], StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries))
        {
            message.To.Add(MailboxAddress.Parse(to));
        }

        message.Subject = NotificationPayloads.EmailSubject(notification);
        message.Body = new TextPart("plain") { Text = NotificationPayloads.EmailText(notification, links.For(notification)) };

        using var smtp = new SmtpClient();
        try
        {
            await smtp.ConnectAsync(settings.SmtpHost, settings.SmtpPort ?? 587, SecurityOf(settings.SmtpSecurity), cancellationToken);
            if (!string.IsNullOrEmpty(settings.SmtpUser))
            {
                await smtp.AuthenticateAsync(settings.SmtpUser, password ?? "", cancellationToken);
            }

            await smtp.SendAsync(message, cancellationToken);
            await smtp.DisconnectAsync(quit: true, cancellationToken);
            return new DeliveryAttempt(true, 250, null, Stopwatch.GetElapsedTime(started));
        }
        catch (Exception ex) when (ex is SmtpCommandException or SmtpProtocolException or AuthenticationException or NotSupportedException
                                       or SslHandshakeException or System.Net.Sockets.SocketException or IOException or FormatException)
        {
            var code = ex is SmtpCommandException command ? (int)command.StatusCode : (int?)null;
            return DeliveryAttempt.Failed(ex switch
            {
                NotSupportedException => "The SMTP server does not offer STARTTLS; refusing to send in clear text.",
                SslHandshakeException => "TLS handshake with the SMTP server failed.",
                AuthenticationException => "The SMTP server refused the credentials.",
                _ => $"SMTP: {ex.GetType().Name}: {Trim(ex.Message)}",
            }, Stopwatch.GetElapsedTime(started), code);
        }
    }

    /// <summary>STARTTLS is required unless the channel says otherwise (implicit TLS, or "none" for a trusted relay).</summary>
    public static SecureSocketOptions SecurityOf(string? security) => security?.ToLowerInvariant() switch
    {
        "tls" => SecureSocketOptions.SslOnConnect,
        "none" => SecureSocketOptions.None,
        _ => SecureSocketOptions.StartTls,
    };

    private static string Trim(string text) => text.Length <= 200 ? text : text[..200];
}

/// <summary>Links in messages: the rotation's page (or the dashboard) at the public base address.</summary>
public sealed class NotificationLinks(Microsoft.Extensions.Options.IOptions<NotificationOptions> options, Hosting.LocalServerAddress localAddress)
{
    public Uri? Base()
    {
        if (!string.IsNullOrWhiteSpace(options.Value.PublicBaseUrl) && Uri.TryCreate(options.Value.PublicBaseUrl.TrimEnd('/') + "/", UriKind.Absolute, out var configured))
            return configured;
        return localAddress.TryGet();
    }

    public Uri? For(NotificationEvent notification) => Base() is not { } b
        ? null
        : notification.RotationId is { } id ? new Uri(b, $"rotations/{id}") : notification.ConnectionId is { } c ? new Uri(b, $"connections/{c}") : b;
}
