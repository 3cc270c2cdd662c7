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
ENTRYPOINT ["dotnet", "RotationDashboard.Web.dll"]
