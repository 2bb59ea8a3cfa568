# The Orchard function app as a container: the official Azure Functions host for .NET isolated workers, plus ffmpeg
# and ffprobe, which the audio pipeline runs (and which no code-only Functions plan provides).
# Not built on the machines this repository is developed on (no Docker engine there): see README, "Deploying to Azure".
#
#   docker build -t orchard .            or, in Azure:   az acr build -r <registry> -t orchard:<tag> .

# Build: the .NET 10 SDK publishes Orchard.Functions; the Functions SDK adds functions.metadata and the host extensions.
FROM mcr.microsoft.com/dotnet/sdk:10.0 AS build
WORKDIR /src
# Project files first, so the restore layer survives source-only changes.
COPY global.json Directory.Build.props Directory.Packages.props host.json ./
COPY Orchard.Domain/Orchard.Domain.csproj Orchard.Domain/
COPY Orchard.Functions/Orchard.Functions.csproj Orchard.Functions/
RUN dotnet restore Orchard.Functions
COPY Orchard.Domain/ Orchard.Domain/
COPY Orchard.Functions/ Orchard.Functions/
RUN dotnet publish Orchard.Functions -c Release -o /home/site/wwwroot

# Run: the Functions host image for .NET 10 isolated workers (Debian 12; the host listens on port 80).
FROM mcr.microsoft.com/azure-functions/dotnet-isolated:4-dotnet-isolated10.0
RUN apt-get update \
    && apt-get install -y --no-install-recommends ffmpeg \
    && rm -rf /var/lib/apt/lists/*
ENV AzureWebJobsScriptRoot=/home/site/wwwroot \
    AzureFunctionsJobHost__Logging__Console__IsEnabled=true
COPY --from=build /home/site/wwwroot /home/site/wwwroot
