using System.Linq;
using System.Numerics;
using FluentAssertions;
using Xunit;

namespace LabelSmoothing.Tests.Losses;

/// <summary>
/// The tensor doors of every family loss equal its span door on a contiguous copy: dense <c>(N, C)</c> and <c>(N, C, H, W)</c>, channels-last
/// (permuted), column-major, a slice of the class axis and every other element; tensor spans and <see cref="System.Numerics.Tensors.Tensor{T}"/>.
/// The per-sample (per-element) losses and the gradient are the same bits (the same row kernel runs on the same values, staged or in place);
/// the reduced loss, a sum in another order, agrees to the type's rounding. Nothing outside an output view is written.
/// </summary>
/// <typeparam name="T">The element type.</typeparam>
public abstract class FamilyTensorDoorTests<T>
    where T : unmanaged, IFloatingPointIeee754<T>
{
    public static TheoryData<string, string, int[]> Cases()
    {
        var data = new TheoryData<string, string, int[]>();
        (string Layout, int[] Shape)[] layouts =
        [
            ("dense", [6, 37]), ("dense", [2, 5, 3, 4]), ("channels-last", [2, 21, 3, 4]), ("column-major", [9, 20]),
            ("slice", [4, 19, 3]), ("every 2nd", [5, 3]),
        ];
        foreach (string loss in FamilyCases.All)
        {
            foreach (var (layout, shape) in layouts)
            {
                data.Add(loss, layout, shape);
            }
        }

        return data;
    }

    [Theory]
    [MemberData(nameof(Cases))]
    public void Tensor_doors_equal_the_span_door_on_a_contiguous_copy(string name, string layoutName, int[] shape)
    {
        var layout = layoutName switch
        {
            "channels-last" => TensorLayout.ChannelsLast,
            "column-major" => TensorLayout.ColumnMajor,
            "slice" => TensorLayout.Slice(1, 2, 3),
            "every 2nd" => TensorLayout.Every(2),
            _ => TensorLayout.Dense,
        };
        int samples = SampleRows.Samples(shape);
        int numClasses = shape[1];
        var subject = FamilyCases.Subject<T>(name, samples, numClasses, Reduction.Sum, seed: samples + numClasses);
        var none = new FamilySubject<T>(FamilyCases.Loss(name, numClasses, Reduction.None, seed: samples + numClasses), subject.Logits, subject.Labels, subject.Second);
        bool elementWise = name == "binary-focal";
        int[] lossShape = elementWise ? shape : SampleRows.PerSample(shape);

        // The span door on the row-major copy.
        T[] spanLosses = none.Losses();
        var (spanLoss, spanGradient) = subject.ForwardBackward();

        // The same logical values in the layout under test.
        var logits = StridedTensor<T>.Create(SampleRows.FromRows<T>(subject.Logits, shape), shape, layout, T.CreateTruncating(7));
        var second = subject.Second is null ? null : StridedTensor<T>.Create(SampleRows.FromRows<T>(subject.Second, shape), shape, layout, T.CreateTruncating(7));
        var labels = subject.Labels is null ? null : StridedTensor<int>.Create(subject.Labels, lossShape, layoutName == "column-major" ? layout : TensorLayout.Dense, 5);
        var losses = StridedTensor<T>.Filled(lossShape, layout, T.NaN);
        var gradient = StridedTensor<T>.Filled(shape, layout, T.NaN);
        T[] logitsBefore = logits.Storage.ToArray();

        var labelView = labels is null ? default : labels.ReadOnly;
        var secondView = second is null ? default : second.ReadOnly;
        none.Losses(logits.ReadOnly, labelView, secondView, losses.Span);
        T tensorLoss = subject.ForwardBackward(logits.ReadOnly, labelView, secondView, gradient.Span);
        ShouldEqualSpanDoor(tensorLoss, losses, gradient);
        logits.Storage.Should().Equal(logitsBefore, "inputs are never modified");

        // Tensor<T>: fresh outputs over the same layouts.
        losses = losses.EmptyLike();
        gradient = gradient.EmptyLike();
        none.Losses(logits.AsTensor(), labels?.AsTensor(), second?.AsTensor(), losses.AsTensor());
        tensorLoss = subject.ForwardBackward(logits.AsTensor(), labels?.AsTensor(), second?.AsTensor(), gradient.AsTensor());
        ShouldEqualSpanDoor(tensorLoss, losses, gradient);
        subject.Forward(logits.AsTensor(), labels?.AsTensor(), second?.AsTensor()).Should().Be(tensorLoss, "Forward returns what ForwardBackward does");

        void ShouldEqualSpanDoor(T loss, StridedTensor<T> lossesOut, StridedTensor<T> gradientOut)
        {
            T[] rowsOfLosses = elementWise ? SampleRows.ToRows<T>(lossesOut.Logical(), shape) : lossesOut.Logical();
            rowsOfLosses.Should().Equal(spanLosses, $"per-sample losses of {name}, {layoutName} ({string.Join(", ", shape)})");
            SampleRows.ToRows<T>(gradientOut.Logical(), shape).Should().Equal(spanGradient, $"the gradient of {name}, {layoutName}");
            ErrorMetrics<T>.ScalarError(loss, double.CreateTruncating(spanLoss)).Should().BeLessThanOrEqualTo(TestNumerics<T>.IsSingle ? 1e-6 : 1e-14);
            lossesOut.WrittenOutside().Should().Be(0);
            gradientOut.WrittenOutside().Should().Be(0);
        }
    }
}

/// <summary>The family's tensor doors in single precision.</summary>
public sealed class FamilyTensorDoorTestsSingle : FamilyTensorDoorTests<float>;

/// <summary>The family's tensor doors in double precision.</summary>
public sealed class FamilyTensorDoorTestsDouble : FamilyTensorDoorTests<double>;
