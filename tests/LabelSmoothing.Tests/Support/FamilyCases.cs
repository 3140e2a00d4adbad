using System;
using System.Numerics;

namespace LabelSmoothing.Tests.Support;

/// <summary>The losses of the family by name, and seeded random subjects for the gradient, property, door and allocation tests.</summary>
internal static class FamilyCases
{
    /// <summary>The losses of the softmax family: labels, or the teacher's logits for distillation.</summary>
    public static readonly string[] Softmax = ["poly", "focal", "focal-real", "relaxation", "penalty", "distillation"];

    /// <summary>Every loss, the binary focal loss included.</summary>
    public static readonly string[] All = [.. Softmax, "binary-focal"];

    /// <summary>
    /// A loss with options that exercise it: smoothing 0.1 with <paramref name="prior"/> where the loss takes one, class weights for focal,
    /// γ = 2 (and 0.7 for <c>focal-real</c>, the non-integer path), ε = 2, β = 0.5, relaxation α = 0.1, temperature 2.
    /// </summary>
    public static object Loss(string name, int numClasses, Reduction reduction, int ignoreIndex = -100, PriorKind prior = PriorKind.Uniform, int seed = 1, int maxDegreeOfParallelism = -1)
    {
        var random = new Random(seed);
        SmoothingPrior smoothingPrior = PriorSpec.Random(prior, numClasses, random).Create();
        return name switch
        {
            "poly" => new PolyLoss(numClasses, 2.0, 0.1, reduction, ignoreIndex, smoothingPrior) { MaxDegreeOfParallelism = maxDegreeOfParallelism },
            "focal" => new FocalLoss(numClasses, 2.0, 0.1, reduction, GradientCheckSupport.Uniform(random, numClasses, 0.5, 2.0), ignoreIndex, smoothingPrior) { MaxDegreeOfParallelism = maxDegreeOfParallelism },
            "focal-real" => new FocalLoss(numClasses, 0.7, 0.1, reduction, null, ignoreIndex, smoothingPrior) { MaxDegreeOfParallelism = maxDegreeOfParallelism },
            "relaxation" => new LabelRelaxationLoss(numClasses, 0.1, reduction, ignoreIndex) { MaxDegreeOfParallelism = maxDegreeOfParallelism },
            "penalty" => new ConfidencePenaltyLoss(numClasses, 0.5, 0.1, reduction, ignoreIndex, smoothingPrior) { MaxDegreeOfParallelism = maxDegreeOfParallelism },
            "distillation" => new DistillationLoss(numClasses, 2.0, true, reduction) { MaxDegreeOfParallelism = maxDegreeOfParallelism },
            "binary-focal" => new BinaryFocalLoss(numClasses, 2.0, 0.25, 0.1, reduction),
            _ => throw new ArgumentOutOfRangeException(nameof(name), name, "unknown loss"),
        };
    }

    /// <summary>
    /// A random batch of <paramref name="rows"/> samples for <paramref name="name"/>: logits in [−4, 4], labels with every third sample ignored,
    /// binary targets mixing hard and soft values, teacher logits near the student's.
    /// </summary>
    public static FamilySubject<T> Subject<T>(string name, int rows, int numClasses, Reduction reduction, int seed, PriorKind prior = PriorKind.Uniform, int maxDegreeOfParallelism = -1)
        where T : unmanaged, IFloatingPointIeee754<T>
    {
        var random = new Random(seed);
        object loss = Loss(name, numClasses, reduction, -100, prior, seed, maxDegreeOfParallelism);
        T[] logits = TestNumerics<T>.Random(rows * numClasses, -4.0, 4.0, random.Next());
        if (name == "binary-focal")
        {
            var targets = new T[rows * numClasses];
            for (int j = 0; j < targets.Length; j++)
            {
                targets[j] = T.CreateTruncating(j % 3 == 0 ? random.NextDouble() : random.Next(2));
            }

            return new FamilySubject<T>(loss, logits, second: targets);
        }

        if (name == "distillation")
        {
            var teacher = new T[logits.Length];
            for (int j = 0; j < teacher.Length; j++)
            {
                teacher[j] = logits[j] + T.CreateTruncating((random.NextDouble() - 0.5) * 2.0);
            }

            return new FamilySubject<T>(loss, logits, second: teacher);
        }

        int[] labels = TestNumerics<T>.RandomLabels(rows, numClasses, random.Next());
        for (int i = 2; i < rows; i += 3)
        {
            labels[i] = -100;
        }

        return new FamilySubject<T>(loss, logits, labels);
    }
}
