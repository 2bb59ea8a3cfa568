using System.Reflection;
using System.Reflection.Emit;
using Orchard.Domain.Json;

namespace Orchard.Tests.Architecture;

/// <summary>
/// "Dependencies flow one way. No folder cycles." Checked on the compiled assemblies rather than their text, so a
/// dependency hidden in a method body (a call, a <c>new</c>, a <c>catch</c>, a lambda) counts, and a name that only
/// looks like a type (a property, a comment) does not.
/// </summary>
public sealed class FolderDependencyTests
{
    [Fact]
    public void DomainFolders_HaveNoCycle_InTheCompiledAssembly()
    {
        AssertNoCycle(FolderGraph.Of(typeof(OrchardJson).Assembly, "Orchard.Domain"), "Orchard.Domain's folders");
    }

    [Fact]
    public void FunctionsNamespaces_HaveNoCycle_InTheCompiledAssembly()
    {
        // Each namespace its own node, the root's included ("."): the composition root, the triggers under Functions,
        // and what the triggers share must each depend only downwards, sub-folders as much as top-level ones.
        AssertNoCycle(FolderGraph.Of(typeof(Orchard.Functions.OrchardFunctionAppExtensions).Assembly, "Orchard.Functions", wholeNamespaces: true), "Orchard.Functions' namespaces");
    }

    [Fact]
    public void WorkerNamespaces_HaveNoCycle_InTheCompiledAssembly()
    {
        AssertNoCycle(FolderGraph.Of(typeof(Orchard.Worker.WorkerApp).Assembly, "Orchard.Worker", wholeNamespaces: true), "Orchard.Worker's namespaces");
    }

    [Fact]
    public void FolderGraph_SeesReferencesInSignaturesAndBodies_OfTheDomain()
    {
        var graph = FolderGraph.Of(typeof(OrchardJson).Assembly, "Orchard.Domain");

        // A field/ctor signature (JobProgress takes an IJobStore) and a body-only use (a catch of JobNotFoundException).
        Assert.Contains("Jobs", graph.Edges["Dispatch"].Keys);
        Assert.Contains(graph.Edges["Dispatch"]["Jobs"], e => e.EndsWith("-> Orchard.Domain.Jobs.JobNotFoundException", StringComparison.Ordinal));
    }

    [Fact]
    public void FolderGraph_MakesEveryNamespaceANode_WhenAskedForWholeNamespaces()
    {
        var graph = FolderGraph.Of(typeof(Orchard.Functions.OrchardFunctionAppExtensions).Assembly, "Orchard.Functions", wholeNamespaces: true);

        // The composition root registers the timers' schedules: the root namespace is "." and a sub-folder keeps its path.
        Assert.Contains("Functions.Timers", graph.Edges["."].Keys);
    }

    [Fact]
    public void Cycles_NameEveryFolderOfALongerCycle_WhenThereIsOne()
    {
        var graph = new FolderGraph();
        graph.Add("A", "B", "A1 -> B1");
        graph.Add("B", "C", "B1 -> C1");
        graph.Add("C", "A", "C1 -> A1");
        graph.Add("C", "D", "C1 -> D1");

        var cycle = Assert.Single(graph.Cycles());

        Assert.Equal(["A", "B", "C"], cycle);
        Assert.Contains("C -> A: C1 -> A1", graph.Describe(cycle), StringComparison.Ordinal);
    }

    private static void AssertNoCycle(FolderGraph graph, string what)
    {
        var cycles = graph.Cycles();

        Assert.True(cycles.Count == 0, $"{what} depend on each other in a cycle; move the type that makes the back-edge:\n"
            + string.Join("\n", cycles.Select(graph.Describe)));
    }
}

/// <summary>
/// Which folder of an assembly uses which, and through which types. A folder is the top-level namespace segment under
/// the root, or with <c>wholeNamespaces</c> the whole namespace under the root ("." for the root namespace itself).
/// </summary>
internal sealed class FolderGraph
{
    private static readonly Dictionary<short, OpCode> OpCodesByValue = typeof(OpCodes)
        .GetFields(BindingFlags.Public | BindingFlags.Static)
        .Select(f => (OpCode)f.GetValue(null)!)
        .ToDictionary(o => o.Value);

    private const BindingFlags Declared = BindingFlags.Public | BindingFlags.NonPublic | BindingFlags.Instance | BindingFlags.Static | BindingFlags.DeclaredOnly;

    /// <summary>Folder -> folder it uses -> "Type -> Type" examples of that use.</summary>
    public SortedDictionary<string, SortedDictionary<string, SortedSet<string>>> Edges { get; } = new(StringComparer.Ordinal);

    public void Add(string from, string to, string example)
    {
        if (!Edges.TryGetValue(from, out var targets))
        {
            Edges[from] = targets = new(StringComparer.Ordinal);
        }

        if (!targets.TryGetValue(to, out var examples))
        {
            targets[to] = examples = new(StringComparer.Ordinal);
        }

        examples.Add(example);
    }

    public static FolderGraph Of(Assembly assembly, string root, bool wholeNamespaces = false)
    {
        var graph = new FolderGraph();
        foreach (var type in assembly.GetTypes())
        {
            if (FolderOf(type, root, wholeNamespaces) is not { } from)
            {
                continue;
            }

            foreach (var used in Uses(type).SelectMany(Expand).Distinct())
            {
                if (FolderOf(used, root, wholeNamespaces) is { } to && to != from)
                {
                    graph.Add(from, to, $"{Outermost(type).FullName} -> {Outermost(used).FullName}");
                }
            }
        }

        return graph;
    }

    /// <summary>Every strongly connected set of two or more folders, each sorted, in name order.</summary>
    public List<string[]> Cycles()
    {
        // Tarjan's algorithm; the graph has a few dozen nodes, so recursion depth is no concern.
        var index = new Dictionary<string, int>(StringComparer.Ordinal);
        var low = new Dictionary<string, int>(StringComparer.Ordinal);
        var stack = new Stack<string>();
        var onStack = new HashSet<string>(StringComparer.Ordinal);
        var found = new List<string[]>();

        void Visit(string node)
        {
            index[node] = low[node] = index.Count;
            stack.Push(node);
            onStack.Add(node);
            foreach (var next in Edges.GetValueOrDefault(node)?.Keys ?? Enumerable.Empty<string>())
            {
                if (!index.ContainsKey(next))
                {
                    Visit(next);
                    low[node] = Math.Min(low[node], low[next]);
                }
                else if (onStack.Contains(next))
                {
                    low[node] = Math.Min(low[node], index[next]);
                }
            }

            if (low[node] == index[node])
            {
                var component = new List<string>();
                string member;
                do
                {
                    member = stack.Pop();
                    onStack.Remove(member);
                    component.Add(member);
                }
                while (member != node);

                if (component.Count > 1)
                {
                    found.Add([.. component.Order(StringComparer.Ordinal)]);
                }
            }
        }

        foreach (var node in Edges.Keys)
        {
            if (!index.ContainsKey(node))
            {
                Visit(node);
            }
        }

        return [.. found.OrderBy(c => c[0], StringComparer.Ordinal)];
    }

    /// <summary>The cycle's folders and, for every edge between two of them, up to three types that make it.</summary>
    public string Describe(string[] cycle)
    {
        var lines = new List<string> { "cycle: " + string.Join(", ", cycle) };
        foreach (var from in cycle)
        {
            foreach (var (to, examples) in Edges.GetValueOrDefault(from) ?? [])
            {
                if (cycle.Contains(to))
                {
                    lines.Add($"  {from} -> {to}: {string.Join("; ", examples.Take(3))}{(examples.Count > 3 ? $" (+{examples.Count - 3} more)" : "")}");
                }
            }
        }

        return string.Join("\n", lines);
    }

    private static string? FolderOf(Type type, string root, bool wholeNamespaces)
    {
        var ns = Outermost(type).Namespace;
        if (wholeNamespaces && ns == root)
        {
            return ".";
        }

        if (ns is null || !ns.StartsWith(root + ".", StringComparison.Ordinal))
        {
            return null;
        }

        var under = ns[(root.Length + 1)..];
        return wholeNamespaces ? under : under.Split('.')[0];
    }

    private static Type Outermost(Type type)
    {
        while (type.DeclaringType is { } outer && !type.IsGenericParameter)
        {
            type = outer;
        }

        return type;
    }

    /// <summary>The type and what it is built from: element types and generic arguments, recursively.</summary>
    private static IEnumerable<Type> Expand(Type? type)
    {
        if (type is null || type.IsGenericParameter)
        {
            yield break;
        }

        if (type.HasElementType)
        {
            foreach (var inner in Expand(type.GetElementType()))
            {
                yield return inner;
            }

            yield break;
        }

        yield return type;
        if (type.IsConstructedGenericType)
        {
            yield return type.GetGenericTypeDefinition();
            foreach (var inner in type.GenericTypeArguments.SelectMany(Expand))
            {
                yield return inner;
            }
        }
    }

    /// <summary>Every type a type's declaration and members name: base, interfaces, attributes, signatures, locals, catches, IL operands.</summary>
    private static IEnumerable<Type?> Uses(Type type)
    {
        yield return type.BaseType;
        foreach (var i in type.GetInterfaces())
        {
            yield return i;
        }

        foreach (var t in Attributes(type.CustomAttributes))
        {
            yield return t;
        }

        foreach (var field in type.GetFields(Declared))
        {
            yield return field.FieldType;
            foreach (var t in Attributes(field.CustomAttributes))
            {
                yield return t;
            }
        }

        foreach (var property in type.GetProperties(Declared))
        {
            yield return property.PropertyType;
            foreach (var t in Attributes(property.CustomAttributes))
            {
                yield return t;
            }
        }

        foreach (var e in type.GetEvents(Declared))
        {
            yield return e.EventHandlerType;
        }

        foreach (var method in type.GetMethods(Declared).Cast<MethodBase>().Concat(type.GetConstructors(Declared)))
        {
            if (method is MethodInfo info)
            {
                yield return info.ReturnType;
            }

            foreach (var parameter in method.GetParameters())
            {
                yield return parameter.ParameterType;
                foreach (var t in Attributes(parameter.CustomAttributes))
                {
                    yield return t;
                }
            }

            foreach (var t in Attributes(method.CustomAttributes))
            {
                yield return t;
            }

            foreach (var t in Body(method))
            {
                yield return t;
            }
        }
    }

    private static IEnumerable<Type?> Attributes(IEnumerable<CustomAttributeData> attributes)
    {
        foreach (var attribute in attributes)
        {
            yield return attribute.AttributeType;
            foreach (var argument in attribute.ConstructorArguments.Concat(attribute.NamedArguments.Select(n => n.TypedValue)))
            {
                if (argument.Value is Type typeArgument)
                {
                    yield return typeArgument;
                }
            }
        }
    }

    private static IEnumerable<Type?> Body(MethodBase method)
    {
        var body = method.GetMethodBody();
        if (body is null)
        {
            yield break;
        }

        foreach (var local in body.LocalVariables)
        {
            yield return local.LocalType;
        }

        foreach (var clause in body.ExceptionHandlingClauses)
        {
            if (clause.Flags == ExceptionHandlingClauseOptions.Clause)
            {
                yield return clause.CatchType;
            }
        }

        var il = body.GetILAsByteArray() ?? [];
        var typeArguments = method.DeclaringType is { IsGenericType: true } declaring ? declaring.GetGenericArguments() : null;
        var methodArguments = method.IsGenericMethod ? method.GetGenericArguments() : null;
        for (var at = 0; at < il.Length;)
        {
            short value = il[at++];
            if (value == 0xFE)
            {
                value = (short)(0xFE00 | il[at++]);
            }

            var code = OpCodesByValue[value];
            var size = code.OperandType switch
            {
                OperandType.InlineNone => 0,
                OperandType.ShortInlineBrTarget or OperandType.ShortInlineI or OperandType.ShortInlineVar => 1,
                OperandType.InlineVar => 2,
                OperandType.InlineI8 or OperandType.InlineR => 8,
                OperandType.InlineSwitch => 4 + (4 * BitConverter.ToInt32(il, at)),
                _ => 4,
            };
            if (code.OperandType is OperandType.InlineField or OperandType.InlineMethod or OperandType.InlineType or OperandType.InlineTok)
            {
                var member = method.Module.ResolveMember(BitConverter.ToInt32(il, at), typeArguments, methodArguments);
                switch (member)
                {
                    case Type used:
                        yield return used;
                        break;
                    case MethodInfo { IsGenericMethod: true } generic:
                        yield return generic.DeclaringType;
                        foreach (var argument in generic.GetGenericArguments())
                        {
                            yield return argument;
                        }

                        break;
                    case not null:
                        yield return member.DeclaringType;
                        break;
                }
            }

            at += size;
        }
    }
}
