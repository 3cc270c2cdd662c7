using Microsoft.AspNetCore.Authorization;
using Microsoft.OpenApi;

namespace RotationDashboard.Web.Api;

/// <summary>
/// The OpenAPI 3 document of the HTTP API (every <c>/api</c> route) at <see cref="DocumentPath"/>, served to anyone:
/// it describes routes and shapes, never data. Operations that need a token carry the bearer security requirement and
/// name the permission they need.
/// </summary>
public static class ApiDocumentation
{
    public const string DocumentName = "v1";
    public const string DocumentPath = "/openapi/v1.json";
    public const string BearerSchemeName = "Bearer";

    private const string PolicyPrefix = "api:";

    public static IServiceCollection AddApiDocumentation(this IServiceCollection services)
    {
        // Schemas are generated from the HTTP JSON options, which AddApiInputProblems aligns with ApiJson.

        services.AddOpenApi(DocumentName, options =>
        {
            options.ShouldInclude = description => description.RelativePath?.StartsWith("api/", StringComparison.Ordinal) == true;
            options.AddDocumentTransformer((document, _, _) =>
            {
                document.Info = new OpenApiInfo
                {
                    Title = "Rotation Dashboard API",
                    Version = DocumentName,
                    Description = Description,
                };
                document.Components ??= new OpenApiComponents();
                document.Components.SecuritySchemes ??= new Dictionary<string, IOpenApiSecurityScheme>();
                document.Components.SecuritySchemes[BearerSchemeName] = new OpenApiSecurityScheme
                {
                    Type = SecuritySchemeType.Http,
                    Scheme = "bearer",
                    BearerFormat = "rdt_…",
                    Description = "An API token created in Settings → API tokens (shown once), or the bootstrap token from " +
                                  "Security:BootstrapToken. Send it as 'Authorization: Bearer <token>'.",
                };
                return Task.CompletedTask;
            });
            // A nullable use of an object type would otherwise get its own copy of the schema ("RotationRunDto2"); object
            // members that may be null say so in their description instead.
            options.AddSchemaTransformer((schema, context, _) =>
            {
                if (schema.Properties is { Count: > 0 } && schema.Type is { } type)
                {
                    schema.Type = type & ~JsonSchemaType.Null;
                }

                if (typeof(Microsoft.AspNetCore.Mvc.ProblemDetails).IsAssignableFrom(context.JsonTypeInfo.Type) && schema.Properties is not null)
                {
                    AddInfisicalErrorMembers(schema);
                }

                return Task.CompletedTask;
            });
            options.AddOperationTransformer((operation, context, _) =>
            {
                var metadata = context.Description.ActionDescriptor.EndpointMetadata;
                if (metadata.OfType<IAllowAnonymous>().Any())
                {
                    return Task.CompletedTask;
                }

                var permissions = metadata.OfType<IAuthorizeData>()
                    .Select(a => a.Policy)
                    .OfType<string>()
                    .Where(p => p.StartsWith(PolicyPrefix, StringComparison.Ordinal))
                    .Select(p => p[PolicyPrefix.Length..])
                    .Distinct(StringComparer.Ordinal)
                    .ToList();
                operation.Security =
                [
                    new OpenApiSecurityRequirement
                    {
                        [new OpenApiSecuritySchemeReference(BearerSchemeName, context.Document)] = [],
                    },
                ];
                if (permissions.Count > 0)
                {
                    var needs = $"Needs the {string.Join(" and ", permissions)} permission.";
                    operation.Description = string.IsNullOrEmpty(operation.Description) ? needs : operation.Description + "\n\n" + needs;
                }

                operation.Responses ??= new OpenApiResponses();
                operation.Responses.TryAdd("401", ProblemResponse(context.Document, "No API token or session, or the token is unknown, revoked or expired."));
                operation.Responses.TryAdd("403", ProblemResponse(context.Document, "The token lacks the permission (or the location) this needs."));
                return Task.CompletedTask;
            });
        });
        return services;
    }

    public static IEndpointRouteBuilder MapApiDocumentation(this IEndpointRouteBuilder endpoints)
    {
        endpoints.MapOpenApi("/openapi/{documentName}.json").AllowAnonymous();
        return endpoints;
    }

    /// <summary>Infisical's error members, which every problem answer carries (<see cref="ApiProblemDetails"/>).</summary>
    private static void AddInfisicalErrorMembers(OpenApiSchema schema)
    {
        var properties = schema.Properties!;
        properties.TryAdd("statusCode", new OpenApiSchema { Type = JsonSchemaType.Integer, Description = "Infisical's: the HTTP status." });
        properties.TryAdd("message", new OpenApiSchema
        {
            Type = JsonSchemaType.String,
            Description = "Infisical's: a readable sentence (the detail); for validation, each field's messages as \"field: message\".",
        });
        properties.TryAdd("error", new OpenApiSchema
        {
            Type = JsonSchemaType.String,
            Description = "Infisical's error name: BadRequest, ValidationFailure, Unauthorized, PermissionDenied, NotFound, RateLimitExceeded, InternalServerError, …",
        });
        properties.TryAdd("reqId", new OpenApiSchema { Type = JsonSchemaType.String, Description = "The request's trace id, also in the server's log." });
    }

    private static OpenApiResponse ProblemResponse(OpenApiDocument? document, string description) => new()
    {
        Description = description,
        Content = new Dictionary<string, OpenApiMediaType>
        {
            ["application/problem+json"] = new()
            {
                Schema = new OpenApiSchemaReference("ProblemDetails", document),
            },
        },
    };

    private const string Description =
        "The Rotation Dashboard's HTTP API. Secret rotations under /api/v2/secret-rotations follow Hanzo KMS / Infisical " +
        "(same routes, bodies and responses for auth0-client-secret; our additions are extra members and routes). " +
        "A create request without strategy makes a single-phase rotation, Hanzo KMS's behaviour; strategy staged (client secrets) " +
        "and the auth0-private-key-jwt type rotate without downtime for consumers that fall back from CURRENT to NEXT.\n\n" +
        "Authentication: 'Authorization: Bearer <API token>' (tokens are created in Settings → API tokens with permissions " +
        "rotations:read, rotations:write, connections:read, connections:write and secrets:read, the last optionally limited to a " +
        "project, environment and path). A signed-in browser session works too (Admin: everything, Viewer: reads, never secret values); " +
        "its POST, PATCH and DELETE calls must send the X-CSRF-TOKEN header from GET /api/v1/antiforgery-token.\n\n" +
        "Errors are RFC 7807 problem details (application/problem+json) that also carry Infisical's members statusCode, message, " +
        "error and reqId, so both kinds of client print something useful; validation errors (400, error ValidationFailure) list each " +
        "field under errors and change nothing. Status codes follow Hanzo KMS: a name already used, a run already under way and a " +
        "connection in use are 400s; a failed rotate-secrets is a 500. Request bodies may contain trailing commas and comments.";
}
