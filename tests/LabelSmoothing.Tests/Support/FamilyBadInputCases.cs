using System;
using System.Collections.Generic;
using System.Numerics.Tensors;

namespace LabelSmoothing.Tests.Support;

/// <summary>
/// The rows of <see cref="PublicSurfaceCoverageTests.Table"/> for the smoothing loss family: every constructor (each option's rejected
/// values: NaN and ±∞ everywhere, γ and β below 0, a temperature of 0 or below, relaxation α and smoothing outside [0, 1], a balance above 1,
/// a degree of parallelism of 0) and every door (shapes, lengths, labels out of range, overlaps, null tensors, a scalar under
/// <see cref="Reduction.None"/>).
/// </summary>
internal static class FamilyBadInputCases
{
    private const int K = 3;
    private const string Span = PublicSurfaceCoverageTests.Span;
    private const string ReadOnlySpan = PublicSurfaceCoverageTests.ReadOnlySpan;
    private const string TensorSpan = PublicSurfaceCoverageTests.TensorSpan;
    private const string ReadOnlyTensorSpan = PublicSurfaceCoverageTests.ReadOnlyTensorSpan;
    private const string TensorOf = PublicSurfaceCoverageTests.TensorOf;
    private const string Int = PublicSurfaceCoverageTests.Int;

    private static readonly Type Aoore = typeof(ArgumentOutOfRangeException);
    private static readonly Type Ae = typeof(ArgumentException);
    private static readonly Type Ane = typeof(ArgumentNullException);
    private static readonly Type Ioe = typeof(InvalidOperationException);

    public static void AddTo(List<BadInputCase> cases)
    {
        void Add(string type, string signature, string description, Type exception, string? paramName, Action call) =>
            cases.Add(new BadInputCase(type, signature, description, call, exception, paramName));

        const string Poly = "PolyLoss";
        const string PolyCtor = "Void .ctor(Int32, Double, Double, LabelSmoothing.Reduction, Int32, LabelSmoothing.SmoothingPrior)";
        Add(Poly, PolyCtor, "numClasses 0", Aoore, "numClasses", () => _ = new PolyLoss(0));
        Add(Poly, PolyCtor, "epsilon NaN", Aoore, "epsilon", () => _ = new PolyLoss(K, double.NaN));
        Add(Poly, PolyCtor, "epsilon +∞", Aoore, "epsilon", () => _ = new PolyLoss(K, double.PositiveInfinity));
        Add(Poly, PolyCtor, "epsilon −∞", Aoore, "epsilon", () => _ = new PolyLoss(K, double.NegativeInfinity));
        Add(Poly, PolyCtor, "label smoothing 1.5", Aoore, "labelSmoothing", () => _ = new PolyLoss(K, 2.0, 1.5));
        Add(Poly, PolyCtor, "reduction 7", Aoore, "reduction", () => _ = new PolyLoss(K, reduction: (Reduction)7));
        Add(Poly, PolyCtor, "a distribution prior of 2 classes for 3", Ae, "prior", () => _ = new PolyLoss(K, prior: SmoothingPrior.FromDistribution([0.5, 0.5])));
        Add(Poly, PolyCtor, "MaxDegreeOfParallelism 0", Aoore, "value", () => _ = new PolyLoss(K) { MaxDegreeOfParallelism = 0 });
        AddLabelledDoors(cases, Poly, reduction => new PolyLoss(K, 2.0, 0.1, reduction));

        const string Focal = "FocalLoss";
        const string FocalCtor = "Void .ctor(Int32, Double, Double, LabelSmoothing.Reduction, Double[], Int32, LabelSmoothing.SmoothingPrior)";
        Add(Focal, FocalCtor, "numClasses 0", Aoore, "numClasses", () => _ = new FocalLoss(0));
        Add(Focal, FocalCtor, "gamma −0.5", Aoore, "gamma", () => _ = new FocalLoss(K, -0.5));
        Add(Focal, FocalCtor, "gamma NaN", Aoore, "gamma", () => _ = new FocalLoss(K, double.NaN));
        Add(Focal, FocalCtor, "gamma +∞", Aoore, "gamma", () => _ = new FocalLoss(K, double.PositiveInfinity));
        Add(Focal, FocalCtor, "label smoothing NaN", Aoore, "labelSmoothing", () => _ = new FocalLoss(K, 2.0, double.NaN));
        Add(Focal, FocalCtor, "class weights of length 2", Ae, "classWeights", () => _ = new FocalLoss(K, classWeights: [1.0, 1.0]));
        Add(Focal, FocalCtor, "a negative class weight", Ae, "classWeights", () => _ = new FocalLoss(K, classWeights: [1.0, -1.0, 1.0]));
        Add(Focal, FocalCtor, "uniform-others prior with 1 class", Aoore, "numClasses", () => _ = new FocalLoss(1, prior: SmoothingPrior.UniformOthers));
        Add(Focal, FocalCtor, "MaxDegreeOfParallelism −2", Aoore, "value", () => _ = new FocalLoss(K) { MaxDegreeOfParallelism = -2 });
        AddLabelledDoors(cases, Focal, reduction => new FocalLoss(K, 2.0, 0.1, reduction, [1.0, 2.0, 0.5]));

        const string Relaxation = "LabelRelaxationLoss";
        const string RelaxationCtor = "Void .ctor(Int32, Double, LabelSmoothing.Reduction, Int32)";
        Add(Relaxation, RelaxationCtor, "numClasses 0", Aoore, "numClasses", () => _ = new LabelRelaxationLoss(0));
        Add(Relaxation, RelaxationCtor, "alpha NaN", Aoore, "alpha", () => _ = new LabelRelaxationLoss(K, double.NaN));
        Add(Relaxation, RelaxationCtor, "alpha +∞", Aoore, "alpha", () => _ = new LabelRelaxationLoss(K, double.PositiveInfinity));
        Add(Relaxation, RelaxationCtor, "alpha −0.1", Aoore, "alpha", () => _ = new LabelRelaxationLoss(K, -0.1));
        Add(Relaxation, RelaxationCtor, "alpha 1.5", Aoore, "alpha", () => _ = new LabelRelaxationLoss(K, 1.5));
        Add(Relaxation, RelaxationCtor, "reduction −1", Aoore, "reduction", () => _ = new LabelRelaxationLoss(K, 0.1, (Reduction)(-1)));
        AddLabelledDoors(cases, Relaxation, reduction => new LabelRelaxationLoss(K, 0.1, reduction));

        const string Penalty = "ConfidencePenaltyLoss";
        const string PenaltyCtor = "Void .ctor(Int32, Double, Double, LabelSmoothing.Reduction, Int32, LabelSmoothing.SmoothingPrior)";
        Add(Penalty, PenaltyCtor, "numClasses 0", Aoore, "numClasses", () => _ = new ConfidencePenaltyLoss(0));
        Add(Penalty, PenaltyCtor, "beta −0.1", Aoore, "beta", () => _ = new ConfidencePenaltyLoss(K, -0.1));
        Add(Penalty, PenaltyCtor, "beta NaN", Aoore, "beta", () => _ = new ConfidencePenaltyLoss(K, double.NaN));
        Add(Penalty, PenaltyCtor, "beta +∞", Aoore, "beta", () => _ = new ConfidencePenaltyLoss(K, double.PositiveInfinity));
        Add(Penalty, PenaltyCtor, "label smoothing −0.1", Aoore, "labelSmoothing", () => _ = new ConfidencePenaltyLoss(K, 0.1, -0.1));
        Add(Penalty, PenaltyCtor, "an ordinal prior with 1 class", Aoore, "numClasses", () => _ = new ConfidencePenaltyLoss(1, prior: SmoothingPrior.Ordinal(1.0)));
        AddLabelledDoors(cases, Penalty, reduction => new ConfidencePenaltyLoss(K, 0.1, 0.1, reduction));

        const string Distillation = "DistillationLoss";
        const string DistillationCtor = "Void .ctor(Int32, Double, Boolean, LabelSmoothing.Reduction)";
        Add(Distillation, DistillationCtor, "numClasses 0", Aoore, "numClasses", () => _ = new DistillationLoss(0));
        Add(Distillation, DistillationCtor, "temperature 0", Aoore, "temperature", () => _ = new DistillationLoss(K, 0.0));
        Add(Distillation, DistillationCtor, "temperature −1", Aoore, "temperature", () => _ = new DistillationLoss(K, -1.0));
        Add(Distillation, DistillationCtor, "temperature NaN", Aoore, "temperature", () => _ = new DistillationLoss(K, double.NaN));
        Add(Distillation, DistillationCtor, "temperature +∞", Aoore, "temperature", () => _ = new DistillationLoss(K, double.PositiveInfinity));
        Add(Distillation, DistillationCtor, "reduction 3", Aoore, "reduction", () => _ = new DistillationLoss(K, reduction: (Reduction)3));
        AddPairedDoors(cases, Distillation, "studentLogits", "teacherLogits", reduction => new DistillationLoss(K, 2.0, true, reduction), Logits(6), Logits(6));

        const string BinaryFocal = "BinaryFocalLoss";
        const string BinaryFocalCtor = "Void .ctor(Int32, Double, Double, Double, LabelSmoothing.Reduction)";
        Add(BinaryFocal, BinaryFocalCtor, "numLabels 0", Aoore, "numLabels", () => _ = new BinaryFocalLoss(0));
        Add(BinaryFocal, BinaryFocalCtor, "gamma −1", Aoore, "gamma", () => _ = new BinaryFocalLoss(K, -1.0));
        Add(BinaryFocal, BinaryFocalCtor, "gamma NaN", Aoore, "gamma", () => _ = new BinaryFocalLoss(K, double.NaN));
        Add(BinaryFocal, BinaryFocalCtor, "alpha 1.5", Aoore, "alpha", () => _ = new BinaryFocalLoss(K, 2.0, 1.5));
        Add(BinaryFocal, BinaryFocalCtor, "alpha NaN", Aoore, "alpha", () => _ = new BinaryFocalLoss(K, 2.0, double.NaN));
        Add(BinaryFocal, BinaryFocalCtor, "alpha −∞", Aoore, "alpha", () => _ = new BinaryFocalLoss(K, 2.0, double.NegativeInfinity));
        Add(BinaryFocal, BinaryFocalCtor, "label smoothing 2", Aoore, "labelSmoothing", () => _ = new BinaryFocalLoss(K, 2.0, 0.25, 2.0));
        Add(BinaryFocal, BinaryFocalCtor, "reduction 9", Aoore, "reduction", () => _ = new BinaryFocalLoss(K, reduction: (Reduction)9));
        AddPairedDoors(cases, BinaryFocal, "logits", "targets", reduction => new BinaryFocalLoss(K, 2.0, 0.25, 0.1, reduction), Logits(6), [0.0, 1.0, 0.5, 1.0, 0.0, 0.25]);
    }

    /// <summary>One case for each door of a labelled loss (logits <c>[2, 3]</c>, labels <c>[0, 2]</c>).</summary>
    private static void AddLabelledDoors(List<BadInputCase> cases, string type, Func<Reduction, object> create)
    {
        void Add(string signature, string description, Type exception, string? paramName, Action call) =>
            cases.Add(new BadInputCase(type, signature, description, call, exception, paramName));

        var mean = new FamilySubject<double>(create(Reduction.Mean), Logits(6), [0, 2]);
        var none = new FamilySubject<double>(create(Reduction.None), Logits(6), [0, 2]);
        double[] z = mean.Logits;
        int[] labels = mean.Labels!;
        Add($"T Forward[T]({ReadOnlySpan}[T], {ReadOnlySpan}[{Int}])", "span label 3 of 3 classes", Aoore, "labels", () => mean.Forward(z, [0, 3], default));
        Add($"Void Forward[T]({ReadOnlySpan}[T], {ReadOnlySpan}[{Int}], {Span}[T])", "span losses of length 3 for 2 labels", Ae, "losses", () => mean.Losses(z, labels, default, new double[3]));
        Add($"T ForwardBackward[T]({ReadOnlySpan}[T], {ReadOnlySpan}[{Int}], {Span}[T])", "span logits of length 5 for 2 labels", Ae, "logits", () => mean.ForwardBackward(Logits(5), labels, default, new double[5]));
        Add($"T Forward[T]({ReadOnlyTensorSpan}[T], {ReadOnlyTensorSpan}[{Int}])", "tensor logits of rank 1", Ae, "logits", () => mean.Forward(In(z, 6), In(labels, 2), default));
        Add($"Void Forward[T]({ReadOnlyTensorSpan}[T], {ReadOnlyTensorSpan}[{Int}], {TensorSpan}[T])", "tensor losses (2, 1) for labels (2)", Ae, "losses", () => mean.Losses(In(z, 2, 3), In(labels, 2), default, Out(new double[2], 2, 1)));
        Add($"T ForwardBackward[T]({ReadOnlyTensorSpan}[T], {ReadOnlyTensorSpan}[{Int}], {TensorSpan}[T])", "tensor gradient one element past the logits", Ae, "gradient", () =>
        {
            double[] buffer = Logits(7);
            mean.ForwardBackward(new ReadOnlyTensorSpan<double>(buffer.AsSpan(0, 6), [2, 3]), In(labels, 2), default, new TensorSpan<double>(buffer.AsSpan(1, 6), [2, 3]));
        });
        Add($"T Forward[T]({TensorOf}[T], {TensorOf}[{Int}])", "Tensor<T> scalar Forward under Reduction.None", Ioe, null, () => none.Forward(Tensor(z, 2, 3), Tensor(labels, 2), null));
        Add($"Void Forward[T]({TensorOf}[T], {TensorOf}[{Int}], {TensorOf}[T])", "Tensor<T> null labels", Ane, "labels", () => mean.Losses(Tensor(z, 2, 3), null, null, Tensor(new double[2], 2)));
        Add($"T ForwardBackward[T]({TensorOf}[T], {TensorOf}[{Int}], {TensorOf}[T])", "Tensor<T> label −1", Aoore, "labels", () => mean.ForwardBackward(Tensor(z, 2, 3), Tensor(new[] { -1, 0 }, 2), null, Tensor(new double[6], 2, 3)));
    }

    /// <summary>One case for each door of a loss whose second input is shaped like the logits (<c>[2, 3]</c>).</summary>
    private static void AddPairedDoors(List<BadInputCase> cases, string type, string first, string second, Func<Reduction, object> create, double[] z, double[] other)
    {
        void Add(string signature, string description, Type exception, string? paramName, Action call) =>
            cases.Add(new BadInputCase(type, signature, description, call, exception, paramName));

        var mean = new FamilySubject<double>(create(Reduction.Mean), z, second: other);
        var none = new FamilySubject<double>(create(Reduction.None), z, second: other);
        int perSample = type == "BinaryFocalLoss" ? 6 : 2;
        Add($"T Forward[T]({ReadOnlySpan}[T], {ReadOnlySpan}[T])", $"span scalar Forward under Reduction.None", Ioe, null, () => none.Forward(z, default, other));
        Add($"Void Forward[T]({ReadOnlySpan}[T], {ReadOnlySpan}[T], {Span}[T])", $"span losses of length {perSample + 1}", Ae, "losses", () => mean.Losses(z, default, other, new double[perSample + 1]));
        Add($"T ForwardBackward[T]({ReadOnlySpan}[T], {ReadOnlySpan}[T], {Span}[T])", $"span {second} of length 5", Ae, second, () => mean.ForwardBackward(z, default, other.AsSpan(0, 5), new double[6]));
        Add($"T Forward[T]({ReadOnlyTensorSpan}[T], {ReadOnlyTensorSpan}[T])", $"tensor {second} (3, 2) for {first} (2, 3)", Ae, second, () => mean.Forward(In(z, 2, 3), default, In(other, 3, 2)));
        Add($"Void Forward[T]({ReadOnlyTensorSpan}[T], {ReadOnlyTensorSpan}[T], {TensorSpan}[T])", $"tensor {first} with 4 classes", Ae, first, () => mean.Losses(In(Logits(8), 2, 4), default, In(Logits(8), 2, 4), Out(new double[8], 2, 4)));
        Add($"T ForwardBackward[T]({ReadOnlyTensorSpan}[T], {ReadOnlyTensorSpan}[T], {TensorSpan}[T])", "tensor gradient with a zero stride", Ae, "gradient", () => mean.ForwardBackward(In(z, 2, 3), default, In(other, 2, 3), new TensorSpan<double>(new double[3], 0, [2, 3], [0, 1])));
        Add($"T Forward[T]({TensorOf}[T], {TensorOf}[T])", $"Tensor<T> null {second}", Ane, second, () => mean.Forward(Tensor(z, 2, 3), null, null));
        Add($"Void Forward[T]({TensorOf}[T], {TensorOf}[T], {TensorOf}[T])", $"Tensor<T> {first} of rank 1", Ae, first, () => mean.Losses(Tensor(z, 6), null, Tensor(other, 6), Tensor(new double[perSample], perSample)));
        Add($"T ForwardBackward[T]({TensorOf}[T], {TensorOf}[T], {TensorOf}[T])", "Tensor<T> gradient (2, 4)", Ae, "gradient", () => mean.ForwardBackward(Tensor(z, 2, 3), null, Tensor(other, 2, 3), Tensor(new double[8], 2, 4)));
    }

    private static double[] Logits(int count) => TestNumerics<double>.Random(count, -2.0, 2.0, seed: count);

    private static ReadOnlyTensorSpan<double> In(double[] values, params nint[] lengths) => new(values, lengths);

    private static ReadOnlyTensorSpan<int> In(int[] values, params nint[] lengths) => new(values, lengths);

    private static TensorSpan<double> Out(double[] values, params nint[] lengths) => new(values, lengths);

    private static Tensor<double> Tensor(double[] values, params nint[] lengths) => System.Numerics.Tensors.Tensor.Create(values, lengths);

    private static Tensor<int> Tensor(int[] values, params nint[] lengths) => System.Numerics.Tensors.Tensor.Create(values, lengths);
}
