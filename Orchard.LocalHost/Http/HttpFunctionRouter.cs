using System.Globalization;
using System.Reflection;
using System.Security.Cryptography;
using System.Text;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Http.Features;
using Microsoft.AspNetCore.Mvc;
using Microsoft.AspNetCore.Mvc.Abstractions;
using Microsoft.AspNetCore.Routing;
using Microsoft.Azure.Functions.Worker;
using Microsoft.DurableTask.Client;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using Orchard.Domain.Hosting;
using Orchard.Domain.IO;
using Orchard.LocalHost.Functions;

namespace Orchard.LocalHost.Http;

/// <summary>
/// Maps every <c>httpTrigger</c> function onto an ASP.NET Core endpoint (route, methods and auth level from the
/// metadata, under host.json's route prefix) and calls the same <c>[Function]</c> method per request.
/// Needs MVC core services (<c>AddMvcCore()</c>) to execute <see cref="IActionResult"/>s.
/// </summary>
public static partial class HttpFunctionRouter
{
    const string KeyQueryName = "code";
    const string KeyHeaderName = "x-functions-key";

    /// <summary>Maps <paramref name="functions"/>' HTTP triggers under <paramref name="routePrefix"/>: host.json's <c>extensions.http.routePrefix</c> ("" for none).</summary>
    public static IReadOnlyList<FunctionDescriptor> MapHttpFunctions(this IEndpointRouteBuilder endpoints, IEnumerable<FunctionDescriptor> functions, string routePrefix)
    {
        ArgumentNullException.ThrowIfNull(endpoints);
        ArgumentNullException.ThrowIfNull(functions);
        ArgumentNullException.ThrowIfNull(routePrefix);
        var prefix = routePrefix.Trim('/');
        var functionKey = endpoints.ServiceProvider.GetService<IOptions<LocalHostOptions>>()?.Value.FunctionKey;
        var logger = endpoints.ServiceProvider.GetRequiredService<ILoggerFactory>().CreateLogger(typeof(HttpFunctionRouter));
        var mapped = new List<FunctionDescriptor>();
        foreach (var function in functions.Where(f => f.IsHttp))
        {
            var trigger = function.Trigger!;
            var method = FunctionMethod.Resolve(function);
            var binders = method.Parameters.Select(p => CreateBinder(function, p, logger)).ToArray();
            var requiresKey = !string.IsNullOrEmpty(functionKey)
                && !string.Equals(trigger.AuthLevel, "anonymous", StringComparison.OrdinalIgnoreCase);
            var own = string.IsNullOrWhiteSpace(trigger.Route) ? function.Name : trigger.Route.TrimStart('/');
            var route = prefix.Length == 0 ? own : $"{prefix}/{own}";
            RequestDelegate handler = context => HandleAsync(context, method, binders, requiresKey ? functionKey : null, logger);
            var methods = trigger.Methods is { Count: > 0 } ? trigger.Methods.Select(m => m.ToUpperInvariant()).ToArray() : null;
            var builder = methods is null ? endpoints.Map(route, handler) : endpoints.MapMethods(route, methods, handler);
            builder.WithDisplayName(function.Name);
            LogMapped(logger, function.Name, methods is null ? "*" : string.Join(',', methods), route, trigger.AuthLevel ?? "function");
            mapped.Add(function);
        }

        return mapped;
    }

    static async Task HandleAsync(HttpContext context, FunctionMethod method, Func<HttpContext, object?>[] binders, string? functionKey, ILogger logger)
    {
        if (functionKey is not null && !HasKey(context.Request, functionKey))
        {
            await WriteErrorAsync(context, StatusCodes.Status401Unauthorized, "A function key is required (?code= or x-functions-key header).");
            return;
        }

        // The Functions host refuses a body over its limit before the app runs (azure-functions-host#11525 reports a
        // bare 500 there); here the answer is a 413 pointing to /uploads. Kestrel's own 30 MB default is lifted: the
        // host's limit is the one that holds, counted as the body streams when there is no Content-Length.
        if (context.Request.ContentLength > FunctionsHostLimits.MaxRequestBodyBytes)
        {
            await WriteErrorAsync(context, StatusCodes.Status413PayloadTooLarge, FunctionsHostLimits.BodyTooLargeMessage);
            return;
        }

        if (context.Features.Get<IHttpMaxRequestBodySizeFeature>() is { IsReadOnly: false } bodySize)
        {
            bodySize.MaxRequestBodySize = null;
        }

        context.Request.Body = new LimitedReadStream(context.Request.Body, FunctionsHostLimits.MaxRequestBodyBytes, () => new RequestBodyTooLargeException());

        try
        {
            var arguments = binders.Select(bind => bind(context)).ToArray();
            var result = await method.InvokeAsync(context.RequestServices, arguments);
            await WriteResultAsync(context, result);
        }
        catch (RequestBodyTooLargeException ex) when (!context.Response.HasStarted)
        {
            context.Response.Clear();
            await WriteErrorAsync(context, StatusCodes.Status413PayloadTooLarge, ex.Message);
        }
        catch (BadHttpRequestException ex) when (!context.Response.HasStarted)
        {
            await WriteErrorAsync(context, StatusCodes.Status400BadRequest, ex.Message);
        }
        catch (OperationCanceledException) when (context.RequestAborted.IsCancellationRequested)
        {
            // The caller went away; nobody is left to answer.
        }
#pragma warning disable CA1031 // The host must answer 500 for whatever a function throws, as the Functions host does.
        catch (Exception ex)
#pragma warning restore CA1031
        {
            LogFunctionFailed(logger, method.Definition.Name, ex);
            if (!context.Response.HasStarted)
            {
                context.Response.Clear();
                await WriteErrorAsync(context, StatusCodes.Status500InternalServerError, $"Function '{method.Definition.Name}' failed.");
            }
        }
    }

    static async Task WriteResultAsync(HttpContext context, object? result)
    {
        switch (result)
        {
            case IActionResult actionResult:
                await actionResult.ExecuteResultAsync(new ActionContext(context, context.GetRouteData(), new ActionDescriptor()));
                break;
            case IResult httpResult:
                await httpResult.ExecuteAsync(context);
                break;
            case null:
                break;
            case string text:
                context.Response.ContentType = "text/plain; charset=utf-8";
                await context.Response.WriteAsync(text, Encoding.UTF8, context.RequestAborted);
                break;
            default:
                await context.Response.WriteAsJsonAsync(result, result.GetType(), context.RequestAborted);
                break;
        }
    }

    static Func<HttpContext, object?> CreateBinder(FunctionDescriptor function, ParameterInfo parameter, ILogger logger)
    {
        var type = parameter.ParameterType;
        if (type == typeof(HttpRequest))
        {
            return context => context.Request;
        }

        if (type == typeof(HttpContext))
        {
            return context => context;
        }

        if (type == typeof(CancellationToken))
        {
            return context => context.RequestAborted;
        }

        if (typeof(DurableTaskClient).IsAssignableFrom(type))
        {
            return context => context.RequestServices.GetRequiredService<DurableTaskClient>();
        }

        if (type == typeof(FunctionContext))
        {
            // No Functions worker runs here, so there is no invocation context to give.
            LogUnsupportedParameter(logger, function.Name, parameter.Name ?? "?", type.Name);
            return _ => throw new NotSupportedException(
                $"Function '{function.Name}': FunctionContext parameters are not supported by Orchard.LocalHost.");
        }

        var name = parameter.Name ?? "";
        var target = Nullable.GetUnderlyingType(type) ?? type;
        if (target == typeof(string) || target == typeof(int) || target == typeof(long) || target == typeof(Guid) || target == typeof(bool))
        {
            return context => BindRouteValue(context, name, target, parameter);
        }

        var service = parameter.HasDefaultValue ? null : type;
        return context => service is null
            ? parameter.DefaultValue
            : context.RequestServices.GetService(service) ?? throw new NotSupportedException(
                $"Function '{function.Name}': cannot bind parameter '{name}' of type {type.Name}.");
    }

    static object? BindRouteValue(HttpContext context, string name, Type target, ParameterInfo parameter)
    {
        var raw = context.GetRouteValue(name)?.ToString() ?? context.Request.Query[name].FirstOrDefault();
        if (raw is null)
        {
            return parameter.HasDefaultValue ? parameter.DefaultValue : null;
        }

        if (target == typeof(string))
        {
            return raw;
        }

        object? value = target == typeof(int) ? (int.TryParse(raw, NumberStyles.Integer, CultureInfo.InvariantCulture, out var i) ? i : null)
            : target == typeof(long) ? (long.TryParse(raw, NumberStyles.Integer, CultureInfo.InvariantCulture, out var l) ? l : null)
            : target == typeof(Guid) ? (Guid.TryParse(raw, out var g) ? g : null)
            : bool.TryParse(raw, out var b) ? b : null;
        return value ?? throw new BadHttpRequestException($"'{name}' must be a {target.Name}.");
    }

    static bool HasKey(HttpRequest request, string functionKey)
    {
        var given = request.Headers[KeyHeaderName].FirstOrDefault() ?? request.Query[KeyQueryName].FirstOrDefault();
        return given is not null && CryptographicOperations.FixedTimeEquals(Encoding.UTF8.GetBytes(given), Encoding.UTF8.GetBytes(functionKey));
    }

    static Task WriteErrorAsync(HttpContext context, int status, string message)
    {
        context.Response.StatusCode = status;
        return context.Response.WriteAsJsonAsync(new ErrorResponse(message), context.RequestAborted);
    }

    [LoggerMessage(Level = LogLevel.Information, Message = "HTTP function {Function}: {Methods} /{Route} (auth {AuthLevel})")]
    static partial void LogMapped(ILogger logger, string function, string methods, string route, string authLevel);

    [LoggerMessage(Level = LogLevel.Error, Message = "HTTP function {Function} failed")]
    static partial void LogFunctionFailed(ILogger logger, string function, Exception exception);

    [LoggerMessage(Level = LogLevel.Warning, Message = "HTTP function {Function}: parameter {Parameter} ({Type}) is not supported here; calls will answer 500")]
    static partial void LogUnsupportedParameter(ILogger logger, string function, string parameter, string type);
}

/// <summary>The JSON body of every error the local host answers itself.</summary>
public sealed record ErrorResponse(string Error);
