using System;
using System.Collections.Generic;

namespace LabelSmoothing.Tests.Support;

/// <summary>
/// The rows of <see cref="PublicSurfaceCoverageTests.Table"/> for the constructors of the smoothing loss family: each option's rejected
/// values (NaN and ±∞ everywhere, γ and β below 0, a temperature of 0 or below, relaxation α and smoothing outside [0, 1], a balance above 1),
/// and a degree of parallelism of 0 or −2 (<c>MaxDegreeOfParallelism</c>). Their doors' rows come from the contracts' bad-input table.
/// </summary>
internal static class ConstructorBadInputs
{
    private const int K = 3;

    private static readonly Type Aoore = typeof(ArgumentOutOfRangeException);
    private static readonly Type Ae = typeof(ArgumentException);

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
        Add(Poly, PolyCtor, "MaxDegreeOfParallelism 0", Aoore, "MaxDegreeOfParallelism", () => _ = new PolyLoss(K) { MaxDegreeOfParallelism = 0 });

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
        Add(Focal, FocalCtor, "MaxDegreeOfParallelism −2", Aoore, "MaxDegreeOfParallelism", () => _ = new FocalLoss(K) { MaxDegreeOfParallelism = -2 });

        const string Relaxation = "LabelRelaxationLoss";
        const string RelaxationCtor = "Void .ctor(Int32, Double, LabelSmoothing.Reduction, Int32)";
        Add(Relaxation, RelaxationCtor, "numClasses 0", Aoore, "numClasses", () => _ = new LabelRelaxationLoss(0));
        Add(Relaxation, RelaxationCtor, "alpha NaN", Aoore, "alpha", () => _ = new LabelRelaxationLoss(K, double.NaN));
        Add(Relaxation, RelaxationCtor, "alpha +∞", Aoore, "alpha", () => _ = new LabelRelaxationLoss(K, double.PositiveInfinity));
        Add(Relaxation, RelaxationCtor, "alpha −0.1", Aoore, "alpha", () => _ = new LabelRelaxationLoss(K, -0.1));
        Add(Relaxation, RelaxationCtor, "alpha 1.5", Aoore, "alpha", () => _ = new LabelRelaxationLoss(K, 1.5));
        Add(Relaxation, RelaxationCtor, "reduction −1", Aoore, "reduction", () => _ = new LabelRelaxationLoss(K, 0.1, (Reduction)(-1)));

        const string Penalty = "ConfidencePenaltyLoss";
        const string PenaltyCtor = "Void .ctor(Int32, Double, Double, LabelSmoothing.Reduction, Int32, LabelSmoothing.SmoothingPrior)";
        Add(Penalty, PenaltyCtor, "numClasses 0", Aoore, "numClasses", () => _ = new ConfidencePenaltyLoss(0));
        Add(Penalty, PenaltyCtor, "beta −0.1", Aoore, "beta", () => _ = new ConfidencePenaltyLoss(K, -0.1));
        Add(Penalty, PenaltyCtor, "beta NaN", Aoore, "beta", () => _ = new ConfidencePenaltyLoss(K, double.NaN));
        Add(Penalty, PenaltyCtor, "beta +∞", Aoore, "beta", () => _ = new ConfidencePenaltyLoss(K, double.PositiveInfinity));
        Add(Penalty, PenaltyCtor, "label smoothing −0.1", Aoore, "labelSmoothing", () => _ = new ConfidencePenaltyLoss(K, 0.1, -0.1));
        Add(Penalty, PenaltyCtor, "an ordinal prior with 1 class", Aoore, "numClasses", () => _ = new ConfidencePenaltyLoss(1, prior: SmoothingPrior.Ordinal(1.0)));

        const string Distillation = "DistillationLoss";
        const string DistillationCtor = "Void .ctor(Int32, Double, Boolean, LabelSmoothing.Reduction)";
        Add(Distillation, DistillationCtor, "numClasses 0", Aoore, "numClasses", () => _ = new DistillationLoss(0));
        Add(Distillation, DistillationCtor, "temperature 0", Aoore, "temperature", () => _ = new DistillationLoss(K, 0.0));
        Add(Distillation, DistillationCtor, "temperature −1", Aoore, "temperature", () => _ = new DistillationLoss(K, -1.0));
        Add(Distillation, DistillationCtor, "temperature NaN", Aoore, "temperature", () => _ = new DistillationLoss(K, double.NaN));
        Add(Distillation, DistillationCtor, "temperature +∞", Aoore, "temperature", () => _ = new DistillationLoss(K, double.PositiveInfinity));
        Add(Distillation, DistillationCtor, "reduction 3", Aoore, "reduction", () => _ = new DistillationLoss(K, reduction: (Reduction)3));

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
    }
}
