using System.Reflection;
using Microsoft.Azure.Functions.Worker;
using Microsoft.Extensions.DependencyInjection;

namespace Orchard.LocalHost.Functions;

/// <summary>A <c>[Function]</c> method found from its metadata entry point, invoked by reflection as the Functions worker would.</summary>
public sealed class FunctionMethod
{
    FunctionMethod(FunctionDescriptor definition, MethodInfo method)
    {
        Definition = definition;
        Method = method;
        Parameters = method.GetParameters();
    }

    public FunctionDescriptor Definition { get; }

    public MethodInfo Method { get; }

    public IReadOnlyList<ParameterInfo> Parameters { get; }

    /// <summary>Finds the method named by <c>entryPoint</c> ("Namespace.Type.Method") in the assembly named by <c>scriptFile</c>.</summary>
    public static FunctionMethod Resolve(FunctionDescriptor definition)
    {
        ArgumentNullException.ThrowIfNull(definition);
        var split = definition.EntryPoint.LastIndexOf('.');
        if (split <= 0)
        {
            throw new InvalidOperationException($"Function '{definition.Name}': entry point '{definition.EntryPoint}' is not Type.Method.");
        }

        var typeName = definition.EntryPoint[..split];
        var methodName = definition.EntryPoint[(split + 1)..];
        var assemblyName = Path.GetFileNameWithoutExtension(definition.ScriptFile);
        var assembly = AppDomain.CurrentDomain.GetAssemblies().FirstOrDefault(a => a.GetName().Name == assemblyName)
            ?? Assembly.Load(new AssemblyName(assemblyName));
        var type = assembly.GetType(typeName, throwOnError: false)
            ?? throw new InvalidOperationException($"Function '{definition.Name}': type '{typeName}' not found in {assemblyName}.");
        var candidates = type.GetMethods(BindingFlags.Public | BindingFlags.Instance | BindingFlags.Static)
            .Where(m => m.Name == methodName)
            .ToList();
        // Overloads are told apart by the [Function] name, which is what the metadata's name comes from.
        var method = candidates.FirstOrDefault(m => m.GetCustomAttribute<FunctionAttribute>()?.Name == definition.Name)
            ?? (candidates.Count == 1 ? candidates[0] : null)
            ?? throw new InvalidOperationException($"Function '{definition.Name}': method '{definition.EntryPoint}' not found (or ambiguous).");
        return new FunctionMethod(definition, method);
    }

    /// <summary>
    /// Creates the declaring class from <paramref name="services"/> (unless the method is static), calls the method
    /// with <paramref name="arguments"/>, awaits a returned task and gives back its result (null for none).
    /// </summary>
    public async Task<object?> InvokeAsync(IServiceProvider services, object?[] arguments)
    {
        ArgumentNullException.ThrowIfNull(services);
        var instance = Method.IsStatic ? null : ActivatorUtilities.CreateInstance(services, Method.DeclaringType!);
        try
        {
            var returned = Method.Invoke(instance, BindingFlags.DoNotWrapExceptions, binder: null, arguments, culture: null);
            return await UnwrapAsync(Method.ReturnType, returned);
        }
        finally
        {
            switch (instance)
            {
                case IAsyncDisposable asyncDisposable:
                    await asyncDisposable.DisposeAsync();
                    break;
                case IDisposable disposable:
                    disposable.Dispose();
                    break;
            }
        }
    }

    static async Task<object?> UnwrapAsync(Type returnType, object? returned)
    {
        switch (returned)
        {
            case Task task:
                await task;
                return returnType.IsGenericType && returnType.GetGenericTypeDefinition() == typeof(Task<>)
                    ? returnType.GetProperty(nameof(Task<object>.Result))!.GetValue(task)
                    : null;
            case ValueTask valueTask:
                await valueTask;
                return null;
            case not null when returnType.IsGenericType && returnType.GetGenericTypeDefinition() == typeof(ValueTask<>):
                var asTask = (Task)returnType.GetMethod(nameof(ValueTask<object>.AsTask))!.Invoke(returned, null)!;
                await asTask;
                return asTask.GetType().GetProperty(nameof(Task<object>.Result))!.GetValue(asTask);
            default:
                return returned;
        }
    }
}
