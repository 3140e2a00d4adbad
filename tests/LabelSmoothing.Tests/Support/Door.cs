using System.Numerics;

namespace LabelSmoothing.Tests.Support;

/// <summary>
/// One way into a loss: flat spans, tensor spans or <see cref="System.Numerics.Tensors.Tensor{T}"/> under a
/// <see cref="TensorLayout"/>, or MathNet matrices of a storage kind. <see cref="Bind{T}"/> lays the arguments of a batch out for it.
/// </summary>
internal abstract class Door
{
    /// <summary>The flat span door, the reference every other door equals.</summary>
    public static Door Span { get; } = new SpanDoor();

    /// <summary>Every door and layout the contracts run, by <see cref="Name"/>.</summary>
    public static Door[] All { get; } =
    [
        Span,
        new TensorSpanDoor(TensorLayout.Dense),
        new TensorSpanDoor(TensorLayout.ChannelsLast),
        new TensorSpanDoor(TensorLayout.Slice(1, 2, 3)),
        new TensorSpanDoor(TensorLayout.ColumnMajor),
        new TensorSpanDoor(TensorLayout.Every(2)),
        new TensorDoor(TensorLayout.Dense),
        new TensorDoor(TensorLayout.ChannelsLast),
        new MatrixDoor(sparse: false),
        new MatrixDoor(sparse: true),
    ];

    /// <summary>One door of each kind, dense: the bad-input and allocation contracts run these.</summary>
    public static Door[] Kinds { get; } = [Span, Named("tensor span dense"), Named("Tensor<T> dense"), Named("Matrix<T> dense")];

    public abstract string Name { get; }

    /// <summary>The kind of door, as <see cref="LossSurface.Doors"/> names it.</summary>
    public abstract string Surface { get; }

    /// <summary>False for MathNet matrices, which hold no <see cref="System.Half"/>.</summary>
    public virtual bool TakesHalf => true;

    /// <summary>True for the doors of reference type (<see cref="System.Numerics.Tensors.Tensor{T}"/>, matrices), which reject null.</summary>
    public virtual bool TakesNull => false;

    /// <summary>True when a call can pass an output partly overlapping an input through this door.</summary>
    public virtual bool TakesOverlap => true;

    public static Door Named(string name) => System.Array.Find(All, d => d.Name == name)!;

    /// <summary>The logical shape of a batch of about <paramref name="samples"/> samples of <paramref name="classes"/> classes for this door.</summary>
    public virtual int[] Shape(int samples, int classes) => [samples, classes];

    /// <summary>Lays out <paramref name="batch"/>; <paramref name="inPlace"/>: the gradient is the logits themselves.</summary>
    public abstract BoundCall<T> Bind<T>(LossBatch<T> batch, bool inPlace = false)
        where T : unmanaged, IFloatingPointIeee754<T>;

    /// <summary>True when this door can take a batch of <typeparamref name="T"/>.</summary>
    public bool Takes<T>() => TakesHalf || typeof(T) != typeof(System.Half);

    public override string ToString() => Name;
}
