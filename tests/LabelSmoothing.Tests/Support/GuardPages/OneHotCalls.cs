using System;
using System.Collections.Generic;
using System.Numerics;

namespace LabelSmoothing.Tests.Support.GuardPages;

/// <summary>Both span overloads of <see cref="OneHot.Encode{T}(ReadOnlySpan{int}, int, Span{T})"/>.</summary>
/// <typeparam name="T">The element type.</typeparam>
internal static class OneHotCalls<T>
    where T : unmanaged, IFloatingPointIeee754<T>
{
    public static IReadOnlyList<CallSetting<T>> All(int numClasses) =>
    [
        new("OneHot",
        [
            new("Encode(labels, K, destination)", (x, o) => OneHot.Encode<T>(o.Input(x.Labels), numClasses, o.Output<T>(x.Elements))),
            new("Encode(labels, K)", (x, o) => OneHot.Encode<T>(o.Input(x.Labels), numClasses).AsSpan().CopyTo(o.Output<T>(x.Elements))),
        ]),
    ];
}
