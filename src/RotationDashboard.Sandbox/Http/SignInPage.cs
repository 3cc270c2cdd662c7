using System.Text;
using System.Text.Encodings.Web;

namespace RotationDashboard.Sandbox.Http;

/// <summary>The sandbox's stand-in for Auth0's Universal Login: pick a sandbox user, no password.</summary>
internal static class SignInPage
{
    private const string Banner = "Sandbox tenant — not a real Auth0 sign-in";

    private const string Style = """
        :root { color-scheme: light; }
        * { box-sizing: border-box; }
        body { margin: 0; min-height: 100vh; display: grid; place-items: center; background: #f3f4f7;
               font: 15px/1.45 system-ui, -apple-system, "Segoe UI", Roboto, sans-serif; color: #1f2430; }
        main { width: min(420px, calc(100vw - 32px)); background: #fff; border-radius: 12px;
               box-shadow: 0 8px 30px rgba(20, 24, 40, .12); overflow: hidden; }
        .banner { background: #fff4d6; color: #6b4e00; border-bottom: 1px solid #f0dea8; padding: 10px 20px;
                  font-size: 13px; font-weight: 600; text-align: center; }
        .content { padding: 24px 28px 28px; }
        h1 { font-size: 20px; margin: 0 0 4px; }
        p { margin: 0 0 18px; color: #5b6275; }
        form { margin: 0 0 10px; }
        button.user { width: 100%; display: flex; align-items: center; gap: 12px; padding: 10px 14px; cursor: pointer;
                      border: 1px solid #d8dce6; border-radius: 8px; background: #fff; text-align: left; font: inherit; }
        button.user:hover, button.user:focus-visible { border-color: #635dff; outline: none; box-shadow: 0 0 0 3px rgba(99,93,255,.18); }
        .avatar { width: 36px; height: 36px; border-radius: 50%; flex: none; }
        .who strong { display: block; }
        .who span { color: #5b6275; font-size: 13px; }
        button.cancel { background: none; border: 0; color: #5b6275; cursor: pointer; font: inherit; padding: 6px 0; text-decoration: underline; }
        """;

    public static string Render(SandboxTenant.AuthorizeOutcome.SignIn signIn, string selectAction)
    {
        var encoder = HtmlEncoder.Default;
        var action = encoder.Encode(selectAction);
        var transaction = encoder.Encode(signIn.TransactionId);
        var avatarBase = encoder.Encode(selectAction[..selectAction.LastIndexOf("/authorize", StringComparison.Ordinal)] + "/avatars/");

        var body = new StringBuilder();
        body.Append("<h1>Sign in</h1>");
        body.Append("<p>to continue to <strong>").Append(encoder.Encode(signIn.ClientName)).Append("</strong>. Choose a sandbox user:</p>");
        foreach (var user in signIn.Users)
        {
            body.Append("<form method=\"post\" action=\"").Append(action).Append("\">")
                .Append("<input type=\"hidden\" name=\"transaction\" value=\"").Append(transaction).Append("\">")
                .Append("<input type=\"hidden\" name=\"sub\" value=\"").Append(encoder.Encode(user.Sub)).Append("\">")
                .Append("<button class=\"user\" type=\"submit\" data-email=\"").Append(encoder.Encode(user.Email)).Append("\">")
                .Append("<img class=\"avatar\" alt=\"\" src=\"").Append(avatarBase).Append(encoder.Encode(Uri.EscapeDataString(user.Nickname))).Append(".svg\">")
                .Append("<span class=\"who\"><strong>").Append(encoder.Encode(user.Name)).Append("</strong>")
                .Append("<span>").Append(encoder.Encode(user.Email)).Append("</span></span></button></form>");
        }

        body.Append("<form method=\"post\" action=\"").Append(action).Append("\">")
            .Append("<input type=\"hidden\" name=\"transaction\" value=\"").Append(transaction).Append("\">")
            .Append("<button class=\"cancel\" type=\"submit\" name=\"cancel\" value=\"1\">Cancel</button></form>");
        return Page("Sign in — sandbox tenant", body.ToString());
    }

    public static string RenderError(string title, string message)
    {
        var encoder = HtmlEncoder.Default;
        return Page(title + " — sandbox tenant", $"<h1>{encoder.Encode(title)}</h1><p>{encoder.Encode(message)}</p>");
    }

    private static string Page(string title, string content) => $"""
        <!DOCTYPE html>
        <html lang="en">
        <head>
        <meta charset="utf-8">
        <meta name="viewport" content="width=device-width, initial-scale=1">
        <meta name="robots" content="noindex">
        <title>{HtmlEncoder.Default.Encode(title)}</title>
        <style>{Style}</style>
        </head>
        <body>
        <main>
        <div class="banner" role="note">{Banner}</div>
        <div class="content">{content}</div>
        </main>
        </body>
        </html>
        """;
}
