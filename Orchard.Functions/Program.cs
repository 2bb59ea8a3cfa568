using Microsoft.Azure.Functions.Worker.Builder;
using Microsoft.Extensions.Hosting;
using Orchard.Functions;

var builder = FunctionsApplication.CreateBuilder(args);
builder.ConfigureFunctionsWebApplication();
builder.Services.AddOrchardFunctionApp(builder.Configuration);
builder.Services.AddOrchardHttpLimits();
builder.Build().Run();
