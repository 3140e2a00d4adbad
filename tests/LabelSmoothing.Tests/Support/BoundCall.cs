using System;
using System.Collections;
using System.Collections.Generic;
using System.Numerics;

namespace LabelSmoothing.Tests.Support;

/// <summary>
/// The arguments of a <see cref="LossBatch{T}"/> laid out for one door, with outputs pre-filled with <see cref="TestNumerics{T}.Sentinel"/>:
/// <see cref="Invoke(SoftmaxLoss, EntryPoint)"/> calls one entry point (with no allocation of its own, for the allocation contracts),
/// <see cref="Run(SoftmaxLoss, EntryPoint)"/> calls it and reads what it gave, and <see cref="NothingChanged"/> tells whether a call that threw
/// left every input and output as it was.
/// </summary>
/// <typeparam name="T">The element type.</typeparam>
internal abstract class BoundCall<T>
    where T : unmanaged, IFloatingPointIeee754<T>
{
    private readonly List<(Func<Array> Read, Array Before)> _watched = [];

    /// <summary>The statistics entry points add to; starts empty.</summary>
    private protected TokenStatistics _statistics;

    /// <summary>The value the last call returned.</summary>
    public T Value { get; private protected set; }

    /// <summary>The total weight the last <c>TotalWeight</c> call returned.</summary>
    public double Total { get; private protected set; }

    /// <summary>Calls <paramref name="entry"/> of a softmax loss.</summary>
    public abstract void Invoke(SoftmaxLoss loss, EntryPoint entry);

    /// <summary>Calls <paramref name="entry"/> of a sigmoid or distillation loss.</summary>
    public abstract void Invoke(PairLoss loss, EntryPoint entry);

    /// <summary>Elements written outside the views of the outputs (strided doors).</summary>
    public virtual int WrittenOutside() => 0;

    public Outcome<T> Run(SoftmaxLoss loss, EntryPoint entry)
    {
        Invoke(loss, entry);
        return Read(entry);
    }

    public Outcome<T> Run(PairLoss loss, EntryPoint entry)
    {
        Invoke(loss, entry);
        return Read(entry);
    }

    /// <summary>True when every input and output holds what it held before the call, and no statistics were added.</summary>
    public bool NothingChanged()
    {
        foreach (var (read, before) in _watched)
        {
            if (!StructuralComparisons.StructuralEqualityComparer.Equals(read(), before))
            {
                return false;
            }
        }

        return _statistics.Equals(default(TokenStatistics));
    }

    /// <summary>The per-sample (per-element) losses written, as rows.</summary>
    private protected abstract T[] ReadLosses();

    /// <summary>The gradient written, as rows.</summary>
    private protected abstract T[] ReadGradient();

    /// <summary>Remembers what <paramref name="read"/> gives now, for <see cref="NothingChanged"/>.</summary>
    private protected void Watch(Func<Array> read) => _watched.Add((read, (Array)read().Clone()));

    /// <summary>An output of <paramref name="count"/> sentinels.</summary>
    private protected static T[] Output(int count) => TestNumerics<T>.Filled(count);

    private Outcome<T> Read(EntryPoint entry) =>
        new(entry, Value, Total, entry == EntryPoint.ForwardLosses ? ReadLosses() : null, entry.WritesGradient() ? ReadGradient() : null, _statistics);
}
