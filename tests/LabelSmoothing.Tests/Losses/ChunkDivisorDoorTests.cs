using System;
using System.Numerics.Tensors;
using FluentAssertions;
using MathNet.Numerics.LinearAlgebra;
using Xunit;

namespace LabelSmoothing.Tests.Losses;

/// <summary>
/// The divisor overloads of the doors beyond the spans (MathNet, binary cross-entropy on every door): chunks called with the global
/// divisor add up to the global mean, and their gradients are the slices of the global gradient.
/// </summary>
public sealed class ChunkDivisorDoorTests
{
    [Fact]
    public void BinaryCrossEntropyChunks_AddUpToTheGlobalMean_OnEveryDoor()
    {
        const int N = 13;
        const int M = 5;
        double[] logits = TestNumerics<double>.Random(N * M, -3.0, 3.0, seed: 31);
        double[] targets = TestNumerics<double>.Random(N * M, 0.0, 1.0, seed: 32);
        var loss = new BinaryCrossEntropyLoss(M, 0.1, positiveWeights: [1.0, 2.0, 0.5, 1.0, 3.0]);
        var expectedGradient = new double[N * M];
        double expected = loss.ForwardBackward<double>(logits, targets, expectedGradient);

        const double Divisor = N * M;
        var gradient = new double[N * M];
        double total = loss.ForwardBackward<double>(logits.AsSpan(0, 4 * M), targets.AsSpan(0, 4 * M), gradient.AsSpan(0, 4 * M), Divisor);
        total += loss.ForwardBackward(
            new ReadOnlyTensorSpan<double>(logits, 4 * M, [5, M], [M, 1]), new ReadOnlyTensorSpan<double>(targets, 4 * M, [5, M], [M, 1]),
            new TensorSpan<double>(gradient, 4 * M, [5, M], [M, 1]), Divisor);
        var tensorGradient = Tensor.CreateFromShape<double>([2, M], pinned: false);
        total += loss.ForwardBackward(Tensor.Create(logits[(9 * M)..(11 * M)], [2, M]), Tensor.Create(targets[(9 * M)..(11 * M)], [2, M]), tensorGradient, Divisor);
        tensorGradient.FlattenTo(gradient.AsSpan(9 * M, 2 * M));
        var matrixGradient = Matrix<double>.Build.Dense(2, M);
        total += loss.ForwardBackward(
            Matrix<double>.Build.DenseOfRowMajor(2, M, logits[(11 * M)..]), Matrix<double>.Build.DenseOfRowMajor(2, M, targets[(11 * M)..]), matrixGradient, Divisor);
        matrixGradient.ToRowMajorArray().CopyTo(gradient, 11 * M);

        total.Should().BeApproximately(expected, 1e-14 * expected);
        TestNumerics<double>.ShouldAllBeClose(gradient, expectedGradient);
    }

    [Fact]
    public void MathNetChunks_AddUpToTheGlobalMean_ForIndexAndProbabilityTargets()
    {
        const int N = 12;
        const int K = 7;
        double[] logits = TestNumerics<double>.Random(N * K, -3.0, 3.0, seed: 41);
        double[] targets = GradientCheckSupport.Targets(new Random(42), N, K, normalised: true);
        int[] labels = TestNumerics<double>.RandomLabels(N, K, seed: 43);
        labels[3] = -100;
        var loss = new CrossEntropyLoss(K, 0.1, classWeights: GradientCheckSupport.Weights(new Random(44), K), zLoss: 1e-3);
        var matrix = Matrix<double>.Build.DenseOfRowMajor(N, K, logits);

        var expectedGradient = Matrix<double>.Build.Dense(N, K);
        double expected = loss.ForwardBackward(matrix, labels, expectedGradient);
        double divisor = loss.TotalWeight(labels);
        var top = Matrix<double>.Build.Dense(5, K);
        var bottom = Matrix<double>.Build.Dense(N - 5, K);
        double total = loss.ForwardBackward(matrix.SubMatrix(0, 5, 0, K), labels.AsSpan(0, 5), top, divisor)
            + loss.ForwardBackward(matrix.SubMatrix(5, N - 5, 0, K), labels.AsSpan(5), bottom, divisor);
        total.Should().BeApproximately(expected, 1e-14 * expected);
        TestNumerics<double>.ShouldAllBeClose(top.Stack(bottom).ToRowMajorArray(), expectedGradient.ToRowMajorArray());

        var targetMatrix = Matrix<double>.Build.DenseOfRowMajor(N, K, targets);
        double expectedProbability = loss.ForwardBackward(matrix, targetMatrix, expectedGradient);
        double totalProbability = loss.ForwardBackward(matrix.SubMatrix(0, 5, 0, K), targetMatrix.SubMatrix(0, 5, 0, K), top, N)
            + loss.ForwardBackward(matrix.SubMatrix(5, N - 5, 0, K), targetMatrix.SubMatrix(5, N - 5, 0, K), bottom, N);
        totalProbability.Should().BeApproximately(expectedProbability, 1e-14 * expectedProbability);
        TestNumerics<double>.ShouldAllBeClose(top.Stack(bottom).ToRowMajorArray(), expectedGradient.ToRowMajorArray());
    }
}
