using System.Linq;
using System.Text;
using FluentAssertions;
using Xunit;
using Xunit.Abstractions;

namespace LabelSmoothing.Tests.Losses;

/// <summary>
/// Every public loss has every entry point of its base type on every door: spans, tensor spans, <see cref="System.Numerics.Tensors.Tensor{T}"/>
/// and MathNet <c>Matrix&lt;T&gt;</c> (extension members of <c>LabelSmoothing.MathNet</c>), each found by reflection by its name and the
/// types of its parameters (<see cref="LossSurface.Parameters"/>). The surface table (loss × door × entry point) goes to the test output.
/// </summary>
public sealed class LossSurfaceTests(ITestOutputHelper output)
{
    [Fact]
    public void Every_loss_has_every_entry_point_on_every_door()
    {
        var table = new StringBuilder();
        table.Append("| loss | door | ").AppendJoin(" | ", EntryPoints.Softmax.Select(LossSurface.Short)).AppendLine(" |");
        table.Append("|---|---|").Append(string.Concat(Enumerable.Repeat("---|", EntryPoints.Softmax.Length))).AppendLine();
        var missing = new System.Collections.Generic.List<string>();
        foreach (var loss in LossSurface.Losses)
        {
            foreach (string door in LossSurface.Doors)
            {
                table.Append($"| {loss.Name} | {door} |");
                foreach (var entry in EntryPoints.Softmax)
                {
                    if (!LossSurface.Entries(loss).Contains(entry))
                    {
                        table.Append(" · |");
                        continue;
                    }

                    bool found = LossSurface.Resolve(loss, door, entry) is not null;
                    table.Append(found ? " ✓ |" : " ✗ |");
                    if (!found)
                    {
                        missing.Add($"{loss.Name} through {door}: {entry}({string.Join(", ", LossSurface.Parameters(loss, door, entry))})");
                    }
                }

                table.AppendLine();
            }
        }

        output.WriteLine(table.ToString());
        output.WriteLine("F Forward, l losses, d divisor, s sample weights, st ref TokenStatistics, FB ForwardBackward, B Backward, TW TotalWeight; · not an entry point of that loss.");
        missing.Should().BeEmpty("every loss has every entry point of its base type on every door");
    }

    [Fact]
    public void The_surface_finds_a_method_only_when_its_parameters_match()
    {
        LossSurface.Resolve(typeof(CrossEntropyLoss), "Matrix<T>", EntryPoint.ForwardBackwardWeightedDivisorStatistics)!.DeclaringType.Should().Be(typeof(SoftmaxLossMatrixExtensions));
        LossSurface.Resolve(typeof(FocalLoss), "tensor span", EntryPoint.TotalWeightWeighted)!.DeclaringType.Should().Be<SoftmaxLoss>();
        LossSurface.Resolve(typeof(BinaryFocalLoss), "Matrix<T>", EntryPoint.Backward)!.DeclaringType.Should().Be(typeof(SigmoidLossMatrixExtensions));
        LossSurface.Resolve(typeof(DistillationLoss), "Tensor<T>", EntryPoint.ForwardDivisor)!.DeclaringType.Should().Be<DistillationLoss>();
        LossSurface.Resolve(typeof(DistillationLoss), "span", EntryPoint.TotalWeightWeighted).Should().BeNull("the distillation loss has no sample weights");
        LossSurface.Resolve(typeof(BinaryCrossEntropyLoss), "span", EntryPoint.ForwardStatistics).Should().BeNull("a sigmoid loss has no token statistics");
    }
}
