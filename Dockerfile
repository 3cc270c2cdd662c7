# syntax=docker/dockerfile:1
# Multi-stage build: restore and publish the framework-dependent app, then run it on the ASP.NET Core 10 runtime image.
FROM mcr.microsoft.com/dotnet/sdk:10.0 AS build
WORKDIR /src
COPY Directory.Build.props Directory.Packages.props RotationDashboard.sln ./
COPY src/ src/
COPY wwwroot-assets/ wwwroot-assets/
RUN dotnet publish src/RotationDashboard.Web/RotationDashboard.Web.csproj -c Release -o /app \
    && rm -rf /app/*.pdb

FROM mcr.microsoft.com/dotnet/aspnet:10.0 AS runtime
WORKDIR /app
RUN useradd --uid 10001 --create-home rotation && mkdir -p /data && chown rotation /data
COPY --from=build /app ./
USER rotation
ENV ASPNETCORE_URLS=http://+:8080 \
    ASPNETCORE_ENVIRONMENT=Production \
    Storage__DataDirectory=/data
VOLUME /data
EXPOSE 8080
# Production refuses to start without Encryption__RootKey (base64, 32 bytes), the sign-in settings
# (Authentication__Domain, __ClientId, __ClientSecret) and an admin (Authentication__AdminEmails__0).
# Readiness (database, migrations, scheduler, engine) over plain http on the internal port; the image has no curl, so
# bash's /dev/tcp speaks the one request. The Host header is the first of AllowedHosts, which host filtering accepts.
HEALTHCHECK --interval=30s --timeout=5s --start-period=60s --retries=3 \
    CMD ["bash", "-c", "exec 3<>/dev/tcp/127.0.0.1/8080 && printf 'GET /health/ready HTTP/1.0\\r\\nHost: %s\\r\\n\\r\\n' \"${AllowedHosts%%;*}\" >&3 && head -n 1 <&3 | grep -q ' 200 '"]
ENTRYPOINT ["dotnet", "RotationDashboard.Web.dll"]
