using System.Collections.Generic;
using System.Numerics;

namespace LabelSmoothing.Tests.Support;

/// <summary>A loss under test, softmax or pair (sigmoid, distillation): its entry points, its bad inputs, and a call through a bound door.</summary>
internal sealed class LossSubject
{
    private readonly SoftmaxLoss? _softmax;
    private readonly PairLoss? _pair;

    public LossSubject(SoftmaxLoss loss) => _softmax = loss;

    public LossSubject(PairLoss loss) => _pair = loss;

    /// <summary>The entry points this loss has.</summary>
    public EntryPoint[] Entries => _softmax is null ? EntryPoints.Pair : EntryPoints.Softmax;

    /// <summary>
    /// True when every door runs the same row (or element) kernel on the same values, so that per-sample losses and gradients are the same
    /// bits whatever the layout: every loss but the cross-entropy, whose class-major and staged kernels sum in another order.
    /// </summary>
    public bool SameBitsOnEveryDoor => _softmax is not CrossEntropyLoss;

    public IEnumerable<BadInput> BadInputs(Door door) => _softmax is null ? Support.BadInputs.Pair(door, _pair!) : Support.BadInputs.Softmax(door);

    public void Invoke<T>(BoundCall<T> bound, EntryPoint entry)
        where T : unmanaged, IFloatingPointIeee754<T>
    {
        if (_softmax is null)
        {
            bound.Invoke(_pair!, entry);
        }
        else
        {
            bound.Invoke(_softmax, entry);
        }
    }

    public Outcome<T> Run<T>(BoundCall<T> bound, EntryPoint entry)
        where T : unmanaged, IFloatingPointIeee754<T> =>
        _softmax is null ? bound.Run(_pair!, entry) : bound.Run(_softmax, entry);

    public override string ToString() => (_softmax ?? _pair!.Loss).GetType().Name;
}
