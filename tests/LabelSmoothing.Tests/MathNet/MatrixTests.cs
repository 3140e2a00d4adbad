using System;
using System.Collections.Generic;
using System.Linq;
using System.Numerics;
using FluentAssertions;
using MathNet.Numerics.LinearAlgebra;
using Xunit;

namespace LabelSmoothing.Tests.MathNet;

/// <summary>
/// Every MathNet <see cref="Matrix{T}"/> overload (rows = samples, columns = classes; MathNet stores column-major) against the span
/// overload on the row-major copy <c>matrix.ToRowMajorArray()</c>, on non-square shapes so that a transposition cannot pass.
/// Values agree within <see cref="Tolerance"/> relative to the largest magnitude compared.
/// </summary>
public abstract class MatrixTests<T>
    where T : unmanaged, IFloatingPointIeee754<T>
{
    private static readonly Reduction[] Reductions = [Reduction.None, Reduction.Mean, Reduction.Sum];

    protected abstract double Tolerance { get; }

    [Theory]
    [InlineData(5, 3)]
    [InlineData(3, 7)]
    public void EncodeMatrix_equals_the_span_encoding(int rows, int columns)
    {
        int[] labels = Labels(rows, columns);

        Matrix<T> oneHot = OneHot.EncodeMatrix<T>(labels, columns);

        oneHot.RowCount.Should().Be(rows);
        oneHot.ColumnCount.Should().Be(columns);
        oneHot.ToRowMajorArray().Should().Equal(OneHot.Encode<T>(labels, columns));
    }

    [Theory]
    [InlineData(5, 3)]
    [InlineData(3, 7)]
    public void Smooth_labels_into_a_matrix_equals_the_span_overload(int rows, int columns)
    {
        int[] labels = Labels(rows, columns);
        foreach (var prior in Priors(columns))
        {
            var smoother = new LabelSmoother(0.3, prior);
            var expected = new T[rows * columns];
            smoother.Smooth<T>(labels, columns, expected);
            var destination = Filled(rows, columns, 7.0);

            smoother.Smooth<T>(labels, destination);

            ShouldBeClose(destination.ToRowMajorArray(), expected, $"{prior}");
        }
    }

    [Theory]
    [InlineData(5, 3)]
    [InlineData(3, 7)]
    public void Smooth_a_target_matrix_equals_the_span_overload(int rows, int columns)
    {
        var targets = Targets(rows, columns);
        foreach (var prior in Priors(columns))
        {
            var smoother = new LabelSmoother(0.3, prior);
            var expected = new T[rows * columns];
            smoother.Smooth<T>(targets.ToRowMajorArray(), columns, expected);
            var destination = Filled(rows, columns, 7.0);

            smoother.Smooth(targets, destination);

            ShouldBeClose(destination.ToRowMajorArray(), expected, $"{prior}");
        }
    }

    [Theory]
    [InlineData(5, 3)]
    [InlineData(3, 7)]
    public void LogSoftmax_and_Softmax_of_a_matrix_equal_the_span_overloads(int rows, int columns)
    {
        var logits = Logits(rows, columns);
        var expectedLog = new T[rows * columns];
        var expectedSoft = new T[rows * columns];
        LogSoftmax.Forward<T>(logits.ToRowMajorArray(), columns, expectedLog);
        LogSoftmax.Softmax<T>(logits.ToRowMajorArray(), columns, expectedSoft);
        var logProbabilities = Filled(rows, columns, 7.0);
        var probabilities = Filled(rows, columns, 7.0);

        LogSoftmax.Forward(logits, logProbabilities);
        LogSoftmax.Softmax(logits, probabilities);

        ShouldBeClose(logProbabilities.ToRowMajorArray(), expectedLog, "log-softmax");
        ShouldBeClose(probabilities.ToRowMajorArray(), expectedSoft, "softmax");
        probabilities.RowSums().Select(double.CreateTruncating).Should().AllSatisfy(s => s.Should().BeApproximately(1.0, 10 * Tolerance));
    }

    [Theory]
    [InlineData(5, 3)]
    [InlineData(3, 7)]
    public void LogSoftmax_Backward_of_matrices_equals_the_span_overload(int rows, int columns)
    {
        var logProbabilities = Filled(rows, columns, 0.0);
        LogSoftmax.Forward(Logits(rows, columns), logProbabilities);
        var upstream = Upstream(rows, columns);
        var expected = new T[rows * columns];
        LogSoftmax.Backward<T>(logProbabilities.ToRowMajorArray(), upstream.ToRowMajorArray(), columns, expected);
        var destination = Filled(rows, columns, 7.0);

        LogSoftmax.Backward(logProbabilities, upstream, destination);

        ShouldBeClose(destination.ToRowMajorArray(), expected, "log-softmax backward");
    }

    [Theory]
    [InlineData(5, 3)]
    [InlineData(3, 7)]
    public void Loss_with_index_targets_on_a_matrix_equals_the_span_overloads(int rows, int columns)
    {
        var logits = Logits(rows, columns);
        T[] rowMajor = logits.ToRowMajorArray();
        foreach (var reduction in Reductions)
        {
            foreach (var loss in Losses(columns, reduction))
            {
                int[] labels = LabelsFor(loss, rows);
                string because = Describe(loss);
                if (reduction != Reduction.None)
                {
                    ShouldBeClose(loss.Forward(logits, labels), loss.Forward<T>(rowMajor, labels), "Forward " + because);
                }

                var expectedLosses = new T[rows];
                var losses = new T[rows];
                loss.Forward<T>(rowMajor, labels, expectedLosses);
                loss.Forward(logits, labels, losses);
                ShouldBeClose(losses, expectedLosses, "Forward(losses) " + because);

                var expectedGradient = new T[rows * columns];
                T expectedValue = loss.ForwardBackward<T>(rowMajor, labels, expectedGradient);
                var gradient = Filled(rows, columns, 7.0);
                ShouldBeClose(loss.ForwardBackward(logits, labels, gradient), expectedValue, "ForwardBackward " + because);
                ShouldBeClose(gradient.ToRowMajorArray(), expectedGradient, "ForwardBackward gradient " + because);

                T[] upstream = UpstreamFor(reduction, rows);
                loss.Backward<T>(rowMajor, labels, upstream, expectedGradient);
                loss.Backward(logits, labels, upstream, gradient);
                ShouldBeClose(gradient.ToRowMajorArray(), expectedGradient, "Backward gradient " + because);
            }
        }
    }

    [Theory]
    [InlineData(5, 3)]
    [InlineData(3, 7)]
    public void Loss_with_probability_targets_on_matrices_equals_the_span_overloads(int rows, int columns)
    {
        var logits = Logits(rows, columns);
        var targets = Targets(rows, columns);
        T[] rowMajor = logits.ToRowMajorArray();
        T[] rowMajorTargets = targets.ToRowMajorArray();
        foreach (var reduction in Reductions)
        {
            foreach (var loss in Losses(columns, reduction))
            {
                string because = Describe(loss);
                if (reduction != Reduction.None)
                {
                    ShouldBeClose(loss.Forward(logits, targets), loss.Forward<T>(rowMajor, rowMajorTargets), "Forward " + because);
                }

                var expectedLosses = new T[rows];
                var losses = new T[rows];
                loss.Forward<T>(rowMajor, rowMajorTargets, expectedLosses);
                loss.Forward(logits, targets, losses);
                ShouldBeClose(losses, expectedLosses, "Forward(losses) " + because);

                var expectedGradient = new T[rows * columns];
                T expectedValue = loss.ForwardBackward<T>(rowMajor, rowMajorTargets, expectedGradient);
                var gradient = Filled(rows, columns, 7.0);
                ShouldBeClose(loss.ForwardBackward(logits, targets, gradient), expectedValue, "ForwardBackward " + because);
                ShouldBeClose(gradient.ToRowMajorArray(), expectedGradient, "ForwardBackward gradient " + because);

                T[] upstream = UpstreamFor(reduction, rows);
                loss.Backward<T>(rowMajor, rowMajorTargets, upstream, expectedGradient);
                loss.Backward(logits, targets, upstream, gradient);
                ShouldBeClose(gradient.ToRowMajorArray(), expectedGradient, "Backward gradient " + because);
            }
        }
    }

    [Theory]
    [InlineData(5, 3)]
    [InlineData(3, 7)]
    public void Gradient_written_into_the_logits_matrix_itself_equals_a_separate_gradient(int rows, int columns)
    {
        var logits = Logits(rows, columns);
        var targets = Targets(rows, columns);
        foreach (var reduction in Reductions)
        {
            foreach (var loss in Losses(columns, reduction))
            {
                int[] labels = LabelsFor(loss, rows);
                T[] upstream = UpstreamFor(reduction, rows);
                string because = Describe(loss);
                var separate = Filled(rows, columns, 0.0);

                T value = loss.ForwardBackward(logits, labels, separate);
                var aliased = logits.Clone();
                ShouldBeClose(loss.ForwardBackward(aliased, labels, aliased), value, "index ForwardBackward " + because);
                ShouldBeClose(aliased.ToRowMajorArray(), separate.ToRowMajorArray(), "index ForwardBackward " + because);

                loss.Backward(logits, labels, upstream, separate);
                aliased = logits.Clone();
                loss.Backward(aliased, labels, upstream, aliased);
                ShouldBeClose(aliased.ToRowMajorArray(), separate.ToRowMajorArray(), "index Backward " + because);

                value = loss.ForwardBackward(logits, targets, separate);
                aliased = logits.Clone();
                ShouldBeClose(loss.ForwardBackward(aliased, targets, aliased), value, "probability ForwardBackward " + because);
                ShouldBeClose(aliased.ToRowMajorArray(), separate.ToRowMajorArray(), "probability ForwardBackward " + because);
                aliased = targets.Clone();
                ShouldBeClose(loss.ForwardBackward(logits, aliased, aliased), value, "probability ForwardBackward into targets " + because);
                ShouldBeClose(aliased.ToRowMajorArray(), separate.ToRowMajorArray(), "probability ForwardBackward into targets " + because);

                loss.Backward(logits, targets, upstream, separate);
                aliased = logits.Clone();
                loss.Backward(aliased, targets, upstream, aliased);
                ShouldBeClose(aliased.ToRowMajorArray(), separate.ToRowMajorArray(), "probability Backward " + because);
            }
        }
    }

    [Theory]
    [InlineData(5, 3)]
    [InlineData(3, 7)]
    public void LogSoftmax_into_its_own_input_matrix_equals_a_separate_destination(int rows, int columns)
    {
        var logits = Logits(rows, columns);
        var expected = Filled(rows, columns, 0.0);
        LogSoftmax.Forward(logits, expected);
        var aliased = logits.Clone();
        LogSoftmax.Forward(aliased, aliased);
        ShouldBeClose(aliased.ToRowMajorArray(), expected.ToRowMajorArray(), "log-softmax in place");

        LogSoftmax.Softmax(logits, expected);
        aliased = logits.Clone();
        LogSoftmax.Softmax(aliased, aliased);
        ShouldBeClose(aliased.ToRowMajorArray(), expected.ToRowMajorArray(), "softmax in place");

        var logProbabilities = Filled(rows, columns, 0.0);
        LogSoftmax.Forward(logits, logProbabilities);
        var upstream = Upstream(rows, columns);
        LogSoftmax.Backward(logProbabilities, upstream, expected);
        aliased = upstream.Clone();
        LogSoftmax.Backward(logProbabilities, aliased, aliased);
        ShouldBeClose(aliased.ToRowMajorArray(), expected.ToRowMajorArray(), "log-softmax backward into the upstream matrix");
    }

    [Theory]
    [InlineData(5, 3)]
    [InlineData(3, 7)]
    public void Sparse_matrices_give_the_same_results_as_dense(int rows, int columns)
    {
        var dense = Logits(rows, columns, zeroEvery: 3);
        var sparse = Matrix<T>.Build.SparseOfRowMajor(rows, columns, dense.ToRowMajorArray());
        var denseTargets = OneHot.EncodeMatrix<T>(Labels(rows, columns), columns);
        var sparseTargets = Matrix<T>.Build.SparseOfRowMajor(rows, columns, denseTargets.ToRowMajorArray());
        sparse.Storage.IsDense.Should().BeFalse();

        var expected = Filled(rows, columns, 0.0);
        var actual = Matrix<T>.Build.Sparse(rows, columns);
        LogSoftmax.Forward(dense, expected);
        LogSoftmax.Forward(sparse, actual);
        ShouldBeClose(actual.ToRowMajorArray(), expected.ToRowMajorArray(), "log-softmax (sparse in, sparse out)");

        var smoother = new LabelSmoother(0.2, SmoothingPrior.Ordinal(1.0));
        smoother.Smooth(denseTargets, expected);
        smoother.Smooth(sparseTargets, actual);
        ShouldBeClose(actual.ToRowMajorArray(), expected.ToRowMajorArray(), "smoothed targets (sparse in, sparse out)");

        foreach (var reduction in Reductions)
        {
            foreach (var loss in Losses(columns, reduction))
            {
                int[] labels = LabelsFor(loss, rows);
                string because = Describe(loss);
                T value = loss.ForwardBackward(dense, labels, expected);
                actual = Matrix<T>.Build.Sparse(rows, columns);
                ShouldBeClose(loss.ForwardBackward(sparse, labels, actual), value, "index loss " + because);
                ShouldBeClose(actual.ToRowMajorArray(), expected.ToRowMajorArray(), "index gradient " + because);

                value = loss.ForwardBackward(dense, denseTargets, expected);
                actual = Matrix<T>.Build.Sparse(rows, columns);
                ShouldBeClose(loss.ForwardBackward(sparse, sparseTargets, actual), value, "probability loss " + because);
                ShouldBeClose(actual.ToRowMajorArray(), expected.ToRowMajorArray(), "probability gradient " + because);

                T[] upstream = UpstreamFor(reduction, rows);
                loss.Backward(dense, denseTargets, upstream, expected);
                loss.Backward(sparse, sparseTargets, upstream, actual);
                ShouldBeClose(actual.ToRowMajorArray(), expected.ToRowMajorArray(), "probability Backward " + because);

                var expectedLosses = new T[rows];
                var losses = new T[rows];
                loss.Forward(dense, labels, expectedLosses);
                loss.Forward(sparse, labels, losses);
                ShouldBeClose(losses, expectedLosses, "index losses " + because);
            }
        }
    }

    [Fact]
    public void Transposed_matrices_are_rejected_with_the_parameter_name()
    {
        var logits = Logits(5, 3);
        var transposed = logits.Transpose();
        var targets = Targets(5, 3);
        int[] labels = Labels(5, 3);
        var loss = new CrossEntropyLoss(3, 0.1);
        var lossOfFive = new CrossEntropyLoss(5, 0.1);
        var smoother = new LabelSmoother(0.1);

        ShouldThrow(() => loss.Forward(transposed, labels), "logits");
        ShouldThrow(() => lossOfFive.Forward(transposed, labels), "labels");
        ShouldThrow(() => loss.Forward(transposed, labels, new T[5]), "logits");
        ShouldThrow(() => loss.ForwardBackward(logits, labels, Filled(3, 5, 0.0)), "gradient");
        ShouldThrow(() => loss.Backward(logits, labels, [T.One], Filled(3, 5, 0.0)), "gradient");
        ShouldThrow(() => loss.Forward(logits, targets.Transpose()), "targets");
        ShouldThrow(() => loss.Forward(transposed, targets), "logits");
        ShouldThrow(() => loss.ForwardBackward(logits, targets, Filled(3, 5, 0.0)), "gradient");
        ShouldThrow(() => loss.Backward(logits, targets, [T.One], Filled(3, 5, 0.0)), "gradient");
        ShouldThrow(() => LogSoftmax.Forward(logits, transposed), "destination");
        ShouldThrow(() => LogSoftmax.Softmax(logits, transposed), "destination");
        ShouldThrow(() => LogSoftmax.Backward(logits, transposed, Filled(5, 3, 0.0)), "upstream");
        ShouldThrow(() => LogSoftmax.Backward(logits, logits, transposed), "destination");
        ShouldThrow(() => smoother.Smooth(labels, Filled(3, 5, 0.0)), "destination");
        ShouldThrow(() => smoother.Smooth(targets, targets.Transpose()), "destination");
    }

    [Fact]
    public void Wrong_span_lengths_beside_a_matrix_are_rejected_with_the_parameter_name()
    {
        var logits = Logits(5, 3);
        var targets = Targets(5, 3);
        int[] labels = Labels(5, 3);
        var mean = new CrossEntropyLoss(3, 0.1);
        var none = new CrossEntropyLoss(3, 0.1, Reduction.None);

        ShouldThrow(() => mean.Forward(logits, labels[..3]), "labels");
        ShouldThrow(() => mean.Forward(logits, labels, new T[3]), "losses");
        ShouldThrow(() => mean.Forward(logits, targets, new T[3]), "losses");
        ShouldThrow(() => mean.Backward(logits, labels, new T[5], Filled(5, 3, 0.0)), "upstream");
        ShouldThrow(() => none.Backward(logits, labels, [T.One], Filled(5, 3, 0.0)), "upstream");
        ShouldThrow(() => none.Backward(logits, targets, new T[4], Filled(5, 3, 0.0)), "upstream");
    }

    [Fact]
    public void Null_matrices_are_rejected_with_the_parameter_name()
    {
        var logits = Logits(5, 3);
        var targets = Targets(5, 3);
        int[] labels = Labels(5, 3);
        var loss = new CrossEntropyLoss(3, 0.1);

        ShouldThrowNull(() => loss.Forward((Matrix<T>)null!, labels), "logits");
        ShouldThrowNull(() => loss.ForwardBackward(logits, labels, (Matrix<T>)null!), "gradient");
        ShouldThrowNull(() => loss.Forward(logits, (Matrix<T>)null!), "targets");
        ShouldThrowNull(() => loss.Backward(logits, targets, [T.One], (Matrix<T>)null!), "gradient");
        ShouldThrowNull(() => LogSoftmax.Forward(logits, (Matrix<T>)null!), "destination");
        ShouldThrowNull(() => LogSoftmax.Backward(logits, (Matrix<T>)null!, logits), "upstream");
        ShouldThrowNull(() => new LabelSmoother(0.1).Smooth(labels, (Matrix<T>)null!), "destination");
        ShouldThrowNull(() => new LabelSmoother(0.1).Smooth((Matrix<T>)null!, targets), "targets");
    }

    private static IEnumerable<SmoothingPrior> Priors(int numClasses) =>
    [
        SmoothingPrior.Uniform,
        SmoothingPrior.UniformOthers,
        SmoothingPrior.Ordinal(1.5),
        SmoothingPrior.FromDistribution(GradientCheckSupport.Normalised(new Random(numClasses), numClasses, 0.05)),
    ];

    /// <summary>Weighted Uniform (ignore −100), UniformOthers with a pad id inside [0, K), weighted Ordinal, FromDistribution.</summary>
    private static IEnumerable<CrossEntropyLoss> Losses(int numClasses, Reduction reduction)
    {
        var random = new Random(numClasses);
        double[] weights = GradientCheckSupport.Uniform(random, numClasses, 0.2, 2.5);
        yield return new CrossEntropyLoss(numClasses, 0.1, reduction, weights);
        yield return new CrossEntropyLoss(numClasses, 0.3, reduction, ignoreIndex: 1, prior: SmoothingPrior.UniformOthers);
        yield return new CrossEntropyLoss(numClasses, 0.25, reduction, weights, prior: SmoothingPrior.Ordinal(1.5));
        yield return new CrossEntropyLoss(
            numClasses, 0.2, reduction, prior: SmoothingPrior.FromDistribution(GradientCheckSupport.Normalised(random, numClasses, 0.05)));
    }

    private static string Describe(CrossEntropyLoss loss) =>
        $"({loss.Reduction}, α = {loss.LabelSmoothing}, {loss.Prior}, ignore {loss.IgnoreIndex}, weighted {!loss.ClassWeights.IsEmpty})";

    /// <summary>Labels with class 0 in the first row and <see cref="SoftmaxLoss.IgnoreIndex"/> in the second.</summary>
    private static int[] LabelsFor(CrossEntropyLoss loss, int rows)
    {
        int[] labels = Labels(rows, loss.NumClasses);
        labels[1] = loss.IgnoreIndex;
        return labels;
    }

    private static int[] Labels(int rows, int columns)
    {
        var random = new Random((rows * 100) + columns);
        int[] labels = Enumerable.Range(0, rows).Select(_ => random.Next(columns)).ToArray();
        labels[0] = 0;
        return labels;
    }

    private static Matrix<T> Logits(int rows, int columns, int zeroEvery = 0)
    {
        double[] values = GradientCheckSupport.Uniform(new Random((rows * 10) + columns), rows * columns, -4.0, 4.0);
        for (int j = 0; zeroEvery > 0 && j < values.Length; j += zeroEvery)
        {
            values[j] = 0.0;
        }

        return RowMajor(rows, columns, values);
    }

    /// <summary>Non-negative target rows that do not sum to 1.</summary>
    private static Matrix<T> Targets(int rows, int columns) =>
        RowMajor(rows, columns, GradientCheckSupport.Targets(new Random((rows * 1000) + columns), rows, columns, normalised: false));

    private static Matrix<T> Upstream(int rows, int columns) =>
        RowMajor(rows, columns, GradientCheckSupport.Uniform(new Random((rows * 7) + columns), rows * columns, -2.0, 2.0));

    private static T[] UpstreamFor(Reduction reduction, int rows) =>
        GradientCheckSupport.Uniform(new Random(rows), reduction == Reduction.None ? rows : 1, -2.0, 2.0).Select(T.CreateTruncating).ToArray();

    private static Matrix<T> RowMajor(int rows, int columns, double[] values) =>
        Matrix<T>.Build.DenseOfRowMajor(rows, columns, values.Select(T.CreateTruncating));

    private static Matrix<T> Filled(int rows, int columns, double value) =>
        Matrix<T>.Build.Dense(rows, columns, T.CreateTruncating(value));

    private static void ShouldThrow(Action act, string paramName) =>
        act.Should().Throw<ArgumentException>().Which.ParamName.Should().Be(paramName);

    private static void ShouldThrowNull(Action act, string paramName) =>
        act.Should().ThrowExactly<ArgumentNullException>().Which.ParamName.Should().Be(paramName);

    private void ShouldBeClose(T actual, T expected, string what) =>
        double.CreateTruncating(actual).Should().BeApproximately(
            double.CreateTruncating(expected), Tolerance * Math.Max(1.0, Math.Abs(double.CreateTruncating(expected))), what);

    private void ShouldBeClose(T[] actual, T[] expected, string what)
    {
        actual.Should().HaveSameCount(expected);
        double[] expectedValues = expected.Select(double.CreateTruncating).ToArray();
        double tolerance = Tolerance * GradientCheckSupport.MaxAbs(expectedValues);
        for (int j = 0; j < actual.Length; j++)
        {
            double.CreateTruncating(actual[j]).Should().BeApproximately(expectedValues[j], tolerance, "{0}, row-major entry {1}", what, j);
        }
    }
}

public sealed class MatrixTestsSingle : MatrixTests<float>
{
    protected override double Tolerance => 1e-6;
}

public sealed class MatrixTestsDouble : MatrixTests<double>
{
    protected override double Tolerance => 1e-13;
}
