using System.Linq;
using Xunit;

namespace LabelSmoothing.Tests.Support;

/// <summary>The layouts of every operand of one tensor call: logits, targets, gradient (class-shaped); labels, losses, upstream (per sample).</summary>
internal sealed record DoorLayouts(
    string Name, TensorLayout Logits, TensorLayout Targets, TensorLayout Gradient, TensorLayout Labels, TensorLayout Losses, TensorLayout Upstream, int MinRank = 2)
{
    public static readonly DoorLayouts[] All =
    [
        new("dense", TensorLayout.Dense, TensorLayout.Dense, TensorLayout.Dense, TensorLayout.Dense, TensorLayout.Dense, TensorLayout.Dense),
        new("channels-last", TensorLayout.ChannelsLast, TensorLayout.ChannelsLast, TensorLayout.ChannelsLast, TensorLayout.Dense, TensorLayout.Dense, TensorLayout.Dense, MinRank: 3),
        new("column-major", TensorLayout.ColumnMajor, TensorLayout.ColumnMajor, TensorLayout.ColumnMajor, TensorLayout.ColumnMajor, TensorLayout.ColumnMajor, TensorLayout.ColumnMajor),
        new(
            "sliced along N",
            TensorLayout.Slice(0, 2, 1),
            TensorLayout.Slice(0, 1, 3),
            TensorLayout.Slice(0, 3, 2),
            TensorLayout.Slice(0, 2, 2),
            TensorLayout.Slice(0, 1, 1),
            TensorLayout.Slice(0, 2, 1)),
        new(
            "sliced along a spatial axis",
            TensorLayout.Slice(2, 1, 2),
            TensorLayout.Slice(2, 2, 1),
            TensorLayout.Slice(2, 1, 1),
            TensorLayout.Slice(1, 1, 2),
            TensorLayout.Slice(1, 2, 1),
            TensorLayout.Slice(1, 1, 1),
            MinRank: 3),
        new(
            "sliced along the class axis, strided labels",
            TensorLayout.Slice(1, 3, 2),
            TensorLayout.Slice(1, 1, 4),
            TensorLayout.Slice(1, 2, 3),
            TensorLayout.Every(2),
            TensorLayout.Dense,
            TensorLayout.Dense),
        new(
            "channels-last sliced logits, dense gradient, column-major targets and labels",
            new TensorLayout("channels-last, class axis cut from a wider one", AxisOrder.ClassInnermost, 1, 2, 2),
            TensorLayout.ColumnMajor,
            TensorLayout.Dense,
            TensorLayout.ColumnMajor,
            TensorLayout.Every(3),
            new TensorLayout("column-major, every 2nd", AxisOrder.Reversed, Spread: 2)),
        new(
            "column-major logits, dense gradient and targets, strided labels",
            TensorLayout.ColumnMajor,
            TensorLayout.Dense,
            TensorLayout.Dense,
            TensorLayout.Every(2),
            TensorLayout.ColumnMajor,
            TensorLayout.Dense),
    ];

    public static DoorLayouts Named(string name) => All.Single(l => l.Name == name);

    public override string ToString() => Name;
}

/// <summary>
/// The shapes and layouts the tensor-door parity tests of the other types run over: <c>(N, C)</c>, <c>(N, C, d1)</c> and
/// <c>(N, C, d1, d2)</c>, each under every <see cref="DoorLayouts"/> its rank allows.
/// </summary>
internal static class TensorDoorCases
{
    private static readonly (string Name, int[] Shape)[] Shapes =
    [
        ("(7, 4)", [7, 4]),
        ("(3, 5, 7)", [3, 5, 7]),
        ("(2, 3, 1, 7)", [2, 3, 1, 7]),
    ];

    public static int[] Shape(string name) => Shapes.Single(s => s.Name == name).Shape;

    /// <summary>Every shape under every layout set its rank allows.</summary>
    public static TheoryData<string, string> All()
    {
        var data = new TheoryData<string, string>();
        foreach (var (name, shape) in Shapes)
        {
            foreach (var layouts in DoorLayouts.All.Where(l => shape.Length >= l.MinRank))
            {
                data.Add(name, layouts.Name);
            }
        }

        return data;
    }
}
