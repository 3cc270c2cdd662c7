using Microsoft.AspNetCore.Mvc;
using Microsoft.AspNetCore.Mvc.Abstractions;
using Microsoft.AspNetCore.Mvc.Routing;

namespace RotationDashboard.Web.Security;

/// <summary>Return addresses after sign-in and sign-out: local to the dashboard, or its home page.</summary>
public static class LocalReturnUrl
{
    public const string Home = "/";

    /// <summary>
    /// <paramref name="returnUrl"/> when ASP.NET Core's own local-URL rules accept it (no scheme or host, no <c>//</c> or
    /// <c>/\</c>, no control characters, which browsers drop and so turn <c>/&#9;/evil.example</c> into <c>//evil.example</c>);
    /// otherwise <see cref="Home"/>. The value is the decoded one, as the query binder hands it over.
    /// </summary>
    public static string OrHome(string? returnUrl, HttpContext context)
    {
        if (string.IsNullOrEmpty(returnUrl) || !returnUrl.StartsWith('/'))
        {
            // "~/" is local to the framework but means nothing to a browser's Location header.
            return Home;
        }

        var urlHelper = new UrlHelper(new ActionContext(context, context.GetRouteData(), new ActionDescriptor()));
        return urlHelper.IsLocalUrl(returnUrl) ? returnUrl : Home;
    }
}
