using System;
using System.Collections.Generic;
using System.Linq;
using System.Reflection;
using System.Runtime.CompilerServices;

namespace LabelSmoothing.Tests.Support;

/// <summary>
/// The losses' public surface by reflection: for a loss type, a door and an entry point, the public method that takes the entry point's
/// parameters in the door's types, among the loss's instance methods (its own and its base's) and the extension members of
/// <c>LabelSmoothing.MathNet</c> whose receiver is the loss type or its base.
/// </summary>
internal static class LossSurface
{
    /// <summary>The four doors: flat spans, tensor spans, <c>Tensor&lt;T&gt;</c>, MathNet <c>Matrix&lt;T&gt;</c>.</summary>
    public static readonly string[] Doors = ["span", "tensor span", "Tensor<T>", "Matrix<T>"];

    /// <summary>The public losses.</summary>
    public static readonly Type[] Losses =
    [
        typeof(CrossEntropyLoss), typeof(PolyLoss), typeof(FocalLoss), typeof(LabelRelaxationLoss), typeof(ConfidencePenaltyLoss),
        typeof(BinaryCrossEntropyLoss), typeof(BinaryFocalLoss), typeof(DistillationLoss),
    ];

    /// <summary>The entry points <paramref name="loss"/> has.</summary>
    public static EntryPoint[] Entries(Type loss) => typeof(SoftmaxLoss).IsAssignableFrom(loss) ? EntryPoints.Softmax : EntryPoints.Pair;

    /// <summary>A short name of an entry point for the surface table.</summary>
    public static string Short(EntryPoint entry) => entry switch
    {
        EntryPoint.Forward => "F",
        EntryPoint.ForwardLosses => "F(l)",
        EntryPoint.ForwardDivisor => "F(d)",
        EntryPoint.ForwardWeightedDivisor => "F(s,d)",
        EntryPoint.ForwardBackward => "FB",
        EntryPoint.ForwardBackwardDivisor => "FB(d)",
        EntryPoint.ForwardBackwardWeighted => "FB(s)",
        EntryPoint.ForwardBackwardWeightedDivisor => "FB(s,d)",
        EntryPoint.Backward => "B",
        EntryPoint.TotalWeight => "TW",
        EntryPoint.TotalWeightWeighted => "TW(s)",
        EntryPoint.ForwardStatistics => "F(st)",
        EntryPoint.ForwardBackwardStatistics => "FB(st)",
        EntryPoint.ForwardBackwardDivisorStatistics => "FB(d,st)",
        _ => "FB(s,d,st)",
    };

    /// <summary>The method named and shaped for <paramref name="entry"/> of <paramref name="loss"/> through <paramref name="door"/>, or null.</summary>
    public static MethodInfo? Resolve(Type loss, string door, EntryPoint entry)
    {
        string name = entry switch
        {
            EntryPoint.Backward => "Backward",
            EntryPoint.TotalWeight or EntryPoint.TotalWeightWeighted => "TotalWeight",
            _ when entry.WritesGradient() => "ForwardBackward",
            _ => "Forward",
        };
        string[] expected = Parameters(loss, door, entry);
        return Candidates(loss).FirstOrDefault(c => c.Method.Name == name && c.Parameters.SequenceEqual(expected)).Method;
    }

    /// <summary>The parameter types <paramref name="entry"/> takes through <paramref name="door"/>, as <see cref="Format"/> writes them.</summary>
    public static string[] Parameters(Type loss, string door, EntryPoint entry)
    {
        bool softmax = typeof(SoftmaxLoss).IsAssignableFrom(loss);
        bool distillation = loss == typeof(DistillationLoss);
        string In(string element) => door switch
        {
            "span" => $"ReadOnlySpan<{element}>",
            "tensor span" => $"ReadOnlyTensorSpan<{element}>",
            "Tensor<T>" => $"Tensor<{element}>",
            _ => element == "T" ? "Matrix<T>" : $"ReadOnlySpan<{element}>",
        };
        string Out(bool perRow) => door switch
        {
            "span" => "Span<T>",
            "tensor span" => "TensorSpan<T>",
            "Tensor<T>" => "Tensor<T>",
            _ => perRow ? "Span<T>" : "Matrix<T>",
        };

        // Through a matrix door, per-sample operands (labels, sample weights, per-sample losses and upstream) stay spans.
        bool perSample = softmax || distillation;
        string logits = In("T");
        string second = softmax ? In("Int32") : In("T");
        string weights = door == "Matrix<T>" ? "ReadOnlySpan<T>" : In("T");
        string upstream = door == "Matrix<T>" && perSample ? "ReadOnlySpan<T>" : In("T");
        string losses = Out(perSample);
        string gradient = Out(false);
        const string Divisor = "Double", Statistics = "TokenStatistics&";
        return entry switch
        {
            EntryPoint.Forward => [logits, second],
            EntryPoint.ForwardLosses => [logits, second, losses],
            EntryPoint.ForwardDivisor => [logits, second, Divisor],
            EntryPoint.ForwardWeightedDivisor => [logits, second, weights, Divisor],
            EntryPoint.ForwardBackward => [logits, second, gradient],
            EntryPoint.ForwardBackwardDivisor => [logits, second, gradient, Divisor],
            EntryPoint.ForwardBackwardWeighted => [logits, second, weights, gradient],
            EntryPoint.ForwardBackwardWeightedDivisor => [logits, second, weights, gradient, Divisor],
            EntryPoint.Backward => [logits, second, upstream, gradient],
            EntryPoint.TotalWeight => softmax ? [second] : ["Int32"],
            EntryPoint.TotalWeightWeighted => [second, weights],
            EntryPoint.ForwardStatistics => [logits, second, Statistics],
            EntryPoint.ForwardBackwardStatistics => [logits, second, gradient, Statistics],
            EntryPoint.ForwardBackwardDivisorStatistics => [logits, second, gradient, Divisor, Statistics],
            _ => [logits, second, weights, gradient, Divisor, Statistics],
        };
    }

    /// <summary>A parameter type as the surface table writes it: <c>ReadOnlySpan&lt;T&gt;</c>, <c>Matrix&lt;Int32&gt;</c>, <c>TokenStatistics&amp;</c>.</summary>
    public static string Format(Type type) =>
        type.IsByRef ? Format(type.GetElementType()!) + "&"
        : type.IsGenericParameter ? "T"
        : type.IsGenericType ? $"{type.Name[..type.Name.IndexOf('`', StringComparison.Ordinal)]}<{string.Join(",", type.GetGenericArguments().Select(Format))}>"
        : type.Name;

    /// <summary>The public instance methods of <paramref name="loss"/> and the MathNet extension members on it or its base, with their parameters.</summary>
    private static IEnumerable<(MethodInfo Method, string[] Parameters)> Candidates(Type loss)
    {
        foreach (var method in loss.GetMethods(BindingFlags.Public | BindingFlags.Instance))
        {
            yield return (method, method.GetParameters().Select(p => Format(p.ParameterType)).ToArray());
        }

        foreach (var type in typeof(SoftmaxLossMatrixExtensions).Assembly.GetExportedTypes().Where(t => t.IsAbstract && t.IsSealed && !t.IsNested))
        {
            foreach (var method in type.GetMethods(BindingFlags.Public | BindingFlags.Static).Where(m => m.IsDefined(typeof(ExtensionAttribute))))
            {
                var parameters = method.GetParameters();
                if (parameters.Length > 0 && parameters[0].ParameterType.IsAssignableFrom(loss))
                {
                    yield return (method, parameters.Skip(1).Select(p => Format(p.ParameterType)).ToArray());
                }
            }
        }
    }
}
