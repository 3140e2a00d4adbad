using System;
using System.Collections.Generic;
using System.Linq;
using System.Numerics.Tensors;
using System.Reflection;
using System.Runtime.CompilerServices;
using FluentAssertions;
using MathNet.Numerics.LinearAlgebra;
using Xunit;
using Xunit.Abstractions;

namespace LabelSmoothing.Tests;

/// <summary>
/// One bad-input case of a public method: the method (its declaring type's name and its signature as reflection prints it,
/// <c>MethodBase.ToString()</c>), what is wrong, the call, and the exception type and parameter name it must throw.
/// </summary>
/// <param name="Type">The declaring type's name.</param>
/// <param name="Signature">The signature, exactly as <c>MethodBase.ToString()</c> prints it.</param>
/// <param name="Description">What is wrong with the input.</param>
/// <param name="Call">The call, which must throw.</param>
/// <param name="Exception">The exact exception type.</param>
/// <param name="ParamName">Its <see cref="ArgumentException.ParamName"/> (null for an <see cref="InvalidOperationException"/>).</param>
public sealed record BadInputCase(string Type, string Signature, string Description, Action Call, Type Exception, string? ParamName)
{
    /// <summary>The method, as <see cref="PublicSurfaceCoverageTests"/> names it: <c>Type: signature</c>.</summary>
    public string Method => $"{Type}: {Signature}";

    /// <summary>A unique name for the theory: the method's type and the description.</summary>
    public string Name => $"{Type}: {Description}";
}

/// <summary>
/// Every public method of the <c>LabelSmoothing</c> assembly (span, tensor and <see cref="Tensor{T}"/> doors, static classes, the
/// <see cref="SmoothingPrior"/> factories, <see cref="SmoothingTheory"/>) and of the extension classes of <c>LabelSmoothing.MathNet</c>, and the
/// public constructors that validate (<see cref="CrossEntropyLoss"/>, <see cref="BinaryCrossEntropyLoss"/>, <see cref="LabelSmoother"/>), has at
/// least one bad-input case in <see cref="Table"/>; each case throws the documented exception naming the parameter. The rows of the entry points
/// every loss shares (on <see cref="SoftmaxLoss"/>, <see cref="SigmoidLoss"/>, <see cref="DistillationLoss"/> and their MathNet extension
/// members) come from the contracts' bad-input table (<see cref="BadInputs"/>), one per entry point and door; the rest are written here. Left out: property
/// accessors, <c>ToString</c>/<c>Equals</c>/<c>GetHashCode</c>, compiler-generated (record) members, the constructor of the record struct
/// <see cref="ReliabilityBin"/> and <see cref="TokenStatistics.Add(in TokenStatistics)"/>, which take any values, and
/// <see cref="OnlineLabelSmoothing.NextEpoch"/>, which takes none.
/// </summary>
public sealed class PublicSurfaceCoverageTests(ITestOutputHelper output)
{
    private const int K = 3;
    internal const string Span = "System.Span`1";
    internal const string ReadOnlySpan = "System.ReadOnlySpan`1";
    internal const string TensorSpan = "System.Numerics.Tensors.TensorSpan`1";
    internal const string ReadOnlyTensorSpan = "System.Numerics.Tensors.ReadOnlyTensorSpan`1";
    internal const string TensorOf = "System.Numerics.Tensors.Tensor`1";
    private const string Matrix = "MathNet.Numerics.LinearAlgebra.Matrix`1";
    internal const string Int = "System.Int32";
    private const string Stats = "LabelSmoothing.TokenStatistics ByRef";

    /// <summary>The bad-input cases, at least one per public method.</summary>
    public static IReadOnlyList<BadInputCase> Table { get; } = BuildTable();

    public static TheoryData<string> CaseNames()
    {
        var data = new TheoryData<string>();
        foreach (var badInput in Table)
        {
            data.Add(badInput.Name);
        }

        return data;
    }

    [Theory]
    [MemberData(nameof(CaseNames))]
    public void EveryBadInputCase_ThrowsTheDocumentedException(string name)
    {
        var badInput = Table.Single(c => c.Name == name);
        Exception? thrown = null;
        try
        {
            badInput.Call();
        }
        catch (Exception exception)
        {
            thrown = exception;
        }

        thrown.Should().NotBeNull($"{badInput.Method} must reject {badInput.Description}");
        thrown!.GetType().Should().Be(badInput.Exception, $"{badInput.Method} with {badInput.Description}: {thrown.Message}");
        (thrown as ArgumentException)?.ParamName.Should().Be(badInput.ParamName, $"{badInput.Method} with {badInput.Description}: {thrown.Message}");
    }

    [Fact]
    public void EveryPublicMethod_HasABadInputCase()
    {
        var methods = PublicMethods();
        var covered = Table.Select(c => c.Method).ToHashSet();

        methods.Where(m => !covered.Contains(m)).Should().BeEmpty("every public method needs a bad-input case in the table");
        covered.Where(m => !methods.Contains(m)).Should().BeEmpty("the table names only methods that exist (a renamed or removed method leaves a stale row)");
    }

    [Fact]
    public void TheTable_HasUniqueCaseNames_AndReportsItsMethodsPerType()
    {
        Table.Select(c => c.Name).Should().OnlyHaveUniqueItems();
        foreach (var group in Table.GroupBy(c => c.Type))
        {
            output.WriteLine($"{group.Key}: {group.Select(c => c.Signature).Distinct().Count()} methods, {group.Count()} cases");
        }
    }

    /// <summary>
    /// <c>Type: signature</c> of every public method of every public top-level type of both assemblies, and of every public constructor except
    /// those of records.
    /// </summary>
    private static HashSet<string> PublicMethods()
    {
        var methods = new HashSet<string>();
        foreach (var assembly in new[] { typeof(CrossEntropyLoss).Assembly, typeof(CrossEntropyLossMatrixExtensions).Assembly })
        {
            // Nested public types of the extension classes are the compiler's extension-block markers.
            foreach (var type in assembly.GetExportedTypes().Where(t => !t.IsNested))
            {
                bool isRecord = type.GetMethod("PrintMembers", BindingFlags.NonPublic | BindingFlags.Instance) is not null;
                if (!isRecord && !type.IsAbstract)
                {
                    methods.UnionWith(type.GetConstructors().Select(c => $"{type.Name}: {c}"));
                }

                foreach (var method in type.GetMethods(BindingFlags.Public | BindingFlags.Instance | BindingFlags.Static | BindingFlags.DeclaredOnly))
                {
                    if (method.IsSpecialName || method.IsDefined(typeof(CompilerGeneratedAttribute)) || method.Name is "ToString" or "Equals" or "GetHashCode"
                        || (type == typeof(TokenStatistics) && method.Name == nameof(TokenStatistics.Add))
                        || (type == typeof(OnlineLabelSmoothing) && method.Name == nameof(OnlineLabelSmoothing.NextEpoch)))
                    {
                        continue;
                    }

                    methods.Add($"{type.Name}: {method}");
                }
            }
        }

        return methods;
    }

    private static ReadOnlyTensorSpan<double> In(double[] values, params nint[] lengths) => new(values, lengths);

    private static ReadOnlyTensorSpan<int> In(int[] values, params nint[] lengths) => new(values, lengths);

    private static TensorSpan<double> Out(double[] values, params nint[] lengths) => new(values, lengths);

    private static Tensor<double> Tensor(double[] values, params nint[] lengths) => System.Numerics.Tensors.Tensor.Create(values, lengths);

    private static Tensor<int> Tensor(int[] values, params nint[] lengths) => System.Numerics.Tensors.Tensor.Create(values, lengths);

    private static Matrix<double> Dense(int rows, int columns, double value) => Matrix<double>.Build.Dense(rows, columns, value);

    private static double[] Logits(int count) => TestNumerics<double>.Random(count, -2.0, 2.0, seed: count);

    private static double[] Targets(int count) => TestNumerics<double>.Random(count, 0.0, 1.0, seed: count + 100);

    /// <summary>
    /// One row for each entry point of each door of <see cref="SoftmaxLoss"/>, <see cref="SigmoidLoss"/> and <see cref="DistillationLoss"/> (and
    /// of their extension members in <c>LabelSmoothing.MathNet</c>): the first case of the contracts' bad-input table for it
    /// (<see cref="BadInputs"/>), on the method <see cref="LossSurface"/> resolves.
    /// </summary>
    private static IEnumerable<BadInputCase> LossDoorCases()
    {
        (Type Type, Func<Reduction, LossSubject> Create, LossBatch<double> Batch)[] losses =
        [
            (typeof(CrossEntropyLoss), r => new LossSubject(new CrossEntropyLoss(K, 0.1, r)), LossBatch<double>.Labelled([4, K], seed: 1)),
            (typeof(BinaryCrossEntropyLoss), r => new LossSubject(PairLoss.Of(new BinaryCrossEntropyLoss(K, 0.1, r))), LossBatch<double>.Targeted([4, K], seed: 2)),
            (typeof(DistillationLoss), r => new LossSubject(PairLoss.Of(new DistillationLoss(K, 2.0, true, r))), LossBatch<double>.Paired([4, K], seed: 3)),
        ];
        foreach (var (type, create, batch) in losses)
        {
            var subject = create(Reduction.Mean);
            foreach (var door in Door.Kinds)
            {
                foreach (var entry in subject.Entries)
                {
                    var method = LossSurface.Resolve(type, door.Surface, entry)!;
                    var bad = subject.BadInputs(door).First(b => b.Entry == entry);
                    yield return new BadInputCase(method.DeclaringType!.Name, method.ToString()!, $"{type.Name} through {door}, {bad}", Call, bad.Exception, bad.ParamName);

                    void Call() => create(bad.Reduction).Invoke(door.Bind(batch.WithUpstream(bad.Reduction).Spoiled(bad.Spoil)), entry);
                }
            }
        }
    }

    private static List<BadInputCase> BuildTable()
    {
        var cases = new List<BadInputCase>();
        void Add(string type, string signature, string description, Type exception, string? paramName, Action call) =>
            cases.Add(new BadInputCase(type, signature, description, call, exception, paramName));

        var aoore = typeof(ArgumentOutOfRangeException);
        var ae = typeof(ArgumentException);
        var ane = typeof(ArgumentNullException);
        var ioe = typeof(InvalidOperationException);
        var loss = new CrossEntropyLoss(K, 0.1);
        var none = new CrossEntropyLoss(K, 0.1, Reduction.None);
        var sum = new CrossEntropyLoss(K, 0.1, Reduction.Sum);
        var smoother = new LabelSmoother(0.1);
        int[] labels = [0, 2];
        double[] z = Logits(6);
        double[] t = Targets(6);
        double[] one = [1.0];

        // CrossEntropyLoss: constructor, chunks, spans.
        const string Ce = "CrossEntropyLoss";
        const string Ctor = "Void .ctor(Int32, Double, LabelSmoothing.Reduction, Double[], Int32, LabelSmoothing.SmoothingPrior, Boolean, Double, Double)";
        Add(Ce, Ctor, "numClasses 0", aoore, "numClasses", () => _ = new CrossEntropyLoss(0));
        Add(Ce, Ctor, "label smoothing NaN", aoore, "labelSmoothing", () => _ = new CrossEntropyLoss(K, double.NaN));
        Add(Ce, Ctor, "z-loss NaN", aoore, "zLoss", () => _ = new CrossEntropyLoss(K, zLoss: double.NaN));
        Add(Ce, Ctor, "z-loss −1e-4", aoore, "zLoss", () => _ = new CrossEntropyLoss(K, zLoss: -1e-4));
        Add(Ce, Ctor, "z-loss +∞", aoore, "zLoss", () => _ = new CrossEntropyLoss(K, zLoss: double.PositiveInfinity));
        Add(Ce, Ctor, "soft cap −30", aoore, "logitSoftcap", () => _ = new CrossEntropyLoss(K, logitSoftcap: -30.0));
        Add(Ce, Ctor, "soft cap NaN", aoore, "logitSoftcap", () => _ = new CrossEntropyLoss(K, logitSoftcap: double.NaN));
        Add(Ce, Ctor, "soft cap +∞", aoore, "logitSoftcap", () => _ = new CrossEntropyLoss(K, logitSoftcap: double.PositiveInfinity));
        Add(Ce, $"T ForwardBackward[T]({ReadOnlySpan}[T], {ReadOnlySpan}[T], {Span}[T], Double)", "span divisor NaN (targets)", aoore, "divisor", () => loss.ForwardBackward<double>(z, t, new double[6], double.NaN));
        Add(Ce, $"T Forward[T]({ReadOnlySpan}[T], {ReadOnlySpan}[T])", "span target −0.5", ae, "targets", () => loss.Forward<double>(z, [0.2, 0.3, 0.5, -0.5, 1.0, 0.5]));
        Add(Ce, $"Void Forward[T]({ReadOnlySpan}[T], {ReadOnlySpan}[T], {Span}[T])", "span targets of length 3", ae, "targets", () => loss.Forward<double>(z, Targets(3), new double[2]));
        Add(Ce, $"T ForwardBackward[T]({ReadOnlySpan}[T], {ReadOnlySpan}[T], {Span}[T])", "span gradient one element past the logits", ae, "gradient", () =>
        {
            double[] buffer = Logits(7);
            loss.ForwardBackward<double>(buffer.AsSpan(0, 6), t, buffer.AsSpan(1, 6));
        });
        Add(Ce, $"Void Backward[T]({ReadOnlySpan}[T], {ReadOnlySpan}[T], {ReadOnlySpan}[T], {Span}[T])", "span target NaN", ae, "targets", () => loss.Backward<double>(z, [0.2, 0.3, double.NaN, 0.0, 1.0, 0.0], one, new double[6]));

        // CrossEntropyLoss: tensor spans.
        Add(Ce, $"T Forward[T]({ReadOnlyTensorSpan}[T], {ReadOnlyTensorSpan}[T])", "tensor scalar Forward under Reduction.None (targets)", ioe, null, () => none.Forward(In(z, 2, 3), In(t, 2, 3)));
        Add(Ce, $"Void Forward[T]({ReadOnlyTensorSpan}[T], {ReadOnlyTensorSpan}[T], {TensorSpan}[T])", "tensor targets (3, 2) for logits (2, 3)", ae, "targets", () => loss.Forward(In(z, 2, 3), In(t, 3, 2), Out(new double[2], 2)));
        Add(Ce, $"T ForwardBackward[T]({ReadOnlyTensorSpan}[T], {ReadOnlyTensorSpan}[T], {TensorSpan}[T])", "tensor gradient (2, 4) for logits (2, 3)", ae, "gradient", () => loss.ForwardBackward(In(z, 2, 3), In(t, 2, 3), Out(new double[8], 2, 4)));
        Add(Ce, $"T ForwardBackward[T]({ReadOnlyTensorSpan}[T], {ReadOnlyTensorSpan}[T], {TensorSpan}[T], Double)", "tensor divisor +∞ (targets)", aoore, "divisor", () => loss.ForwardBackward(In(z, 2, 3), In(t, 2, 3), Out(new double[6], 2, 3), double.PositiveInfinity));
        Add(Ce, $"Void Backward[T]({ReadOnlyTensorSpan}[T], {ReadOnlyTensorSpan}[T], {ReadOnlyTensorSpan}[T], {TensorSpan}[T])", "tensor upstream (1) under Reduction.None (targets)", ae, "upstream", () => none.Backward(In(z, 2, 3), In(t, 2, 3), In(one, 1), Out(new double[6], 2, 3)));

        // CrossEntropyLoss: Tensor<T>.
        Add(Ce, $"T Forward[T]({TensorOf}[T], {TensorOf}[T])", "Tensor<T> target +∞", ae, "targets", () => loss.Forward(Tensor(z, 2, 3), Tensor([0.2, 0.3, double.PositiveInfinity, 0.0, 1.0, 0.0], 2, 3)));
        Add(Ce, $"Void Forward[T]({TensorOf}[T], {TensorOf}[T], {TensorOf}[T])", "Tensor<T> losses (2, 3) (targets)", ae, "losses", () => loss.Forward(Tensor(z, 2, 3), Tensor(t, 2, 3), Tensor(new double[6], 2, 3)));
        Add(Ce, $"T ForwardBackward[T]({TensorOf}[T], {TensorOf}[T], {TensorOf}[T])", "Tensor<T> gradient one element past the logits (targets)", ae, "gradient", () =>
        {
            double[] buffer = Logits(7);
            loss.ForwardBackward(System.Numerics.Tensors.Tensor.Create(buffer, 0, [2, 3], [3, 1]), Tensor(t, 2, 3), System.Numerics.Tensors.Tensor.Create(buffer, 1, [2, 3], [3, 1]));
        });
        Add(Ce, $"T ForwardBackward[T]({TensorOf}[T], {TensorOf}[T], {TensorOf}[T], Double)", "Tensor<T> targets (2, 3, 1) for logits (2, 3)", ae, "targets", () => loss.ForwardBackward(Tensor(z, 2, 3), Tensor(t, 2, 3, 1), Tensor(new double[6], 2, 3), 2.0));
        Add(Ce, $"Void Backward[T]({TensorOf}[T], {TensorOf}[T], {TensorOf}[T], {TensorOf}[T])", "Tensor<T> upstream of 2 values under Sum (targets)", ae, "upstream", () => sum.Backward(Tensor(z, 2, 3), Tensor(t, 2, 3), Tensor([1.0, 1.0], 2), Tensor(new double[6], 2, 3)));

        // CrossEntropyLoss: the class-sharded phases (a shard of 2 of the 3 classes at offset 1, 2 samples, one rank gathered).
        double[] shard = Logits(4);
        double[] gathered = new double[2 * loss.ShardStatisticsWidth];
        loss.ShardStatistics<double>(shard, labels, 1, gathered);
        const string Shard = $"{ReadOnlySpan}[T], {ReadOnlySpan}[{Int}], Int32, {ReadOnlySpan}[System.Double]";
        Add(Ce, $"Void ShardStatistics[T]({ReadOnlySpan}[T], {ReadOnlySpan}[{Int}], Int32, {Span}[System.Double])", "shard classes past NumClasses", aoore, "classOffset", () => loss.ShardStatistics<double>(shard, labels, 2, new double[gathered.Length]));
        Add(Ce, $"T ShardForwardBackward[T]({Shard}, {Span}[T])", "shard gradient of length 3", ae, "shardGradient", () => loss.ShardForwardBackward<double>(shard, labels, 1, gathered, new double[3]));
        Add(Ce, $"T ShardForwardBackward[T]({Shard}, {Span}[T], Double)", "shard divisor −1", aoore, "divisor", () => loss.ShardForwardBackward<double>(shard, labels, 1, gathered, new double[4], -1.0));
        Add(Ce, $"T ShardForwardBackward[T]({Shard}, {Span}[T], {Stats})", "shard statistics of one value too few", ae, "gatheredStatistics", () =>
        {
            var statistics = default(TokenStatistics);
            loss.ShardForwardBackward<double>(shard, labels, 1, gathered.AsSpan(1), new double[4], ref statistics);
        });
        Add(Ce, $"T ShardForward[T]({Shard})", "shard Forward under Reduction.None", ioe, null, () => none.ShardForward<double>(shard, labels, 1, gathered));
        Add(Ce, $"T ShardForward[T]({Shard}, {Stats})", "shard label 3 of 3 classes", aoore, "labels", () =>
        {
            var statistics = default(TokenStatistics);
            loss.ShardForward<double>(shard, [0, 3], 1, gathered, ref statistics);
        });

        // LinearCrossEntropyLoss: hidden (2, 2), weight (3, 2), bias (3), labels (2).
        const string Lce = "LinearCrossEntropyLoss";
        var head = new LinearCrossEntropyLoss(loss);
        double[] hidden = Logits(4);
        double[] weight = Logits(6);
        double[] bias = Targets(3);
        const string Head = $"{ReadOnlySpan}[T], {ReadOnlySpan}[T], {ReadOnlySpan}[T], {ReadOnlySpan}[{Int}]";
        const string Gradients = $"{Span}[T], {Span}[T], {Span}[T]";
        Add(Lce, "Void .ctor(LabelSmoothing.CrossEntropyLoss)", "a null loss", ane, "loss", () => _ = new LinearCrossEntropyLoss(null!));
        Add(Lce, $"T Forward[T]({Head})", "hidden of length 5", ae, "hidden", () => head.Forward<double>(Logits(5), weight, bias, labels));
        Add(Lce, $"Void Forward[T]({Head}, {Span}[T])", "losses of length 1", ae, "losses", () => head.Forward<double>(hidden, weight, bias, labels, new double[1]));
        Add(Lce, $"T ForwardBackward[T]({Head}, {Gradients})", "weight gradient of length 5", ae, "weightGradient", () => head.ForwardBackward<double>(hidden, weight, bias, labels, new double[4], new double[5], new double[3]));
        Add(Lce, $"T ForwardBackward[T]({Head}, {Gradients}, Double, Boolean)", "divisor NaN", aoore, "divisor", () => head.ForwardBackward<double>(hidden, weight, bias, labels, new double[4], new double[6], new double[3], double.NaN, false));
        Add(Lce, $"T Forward[T]({Head}, {Stats})", "bias of length 2", ae, "bias", () =>
        {
            var statistics = default(TokenStatistics);
            head.Forward<double>(hidden, weight, Targets(2), labels, ref statistics);
        });
        Add(Lce, $"T ForwardBackward[T]({Head}, {Gradients}, Double, Boolean, {Stats})", "label 3 of 3 classes", aoore, "labels", () =>
        {
            var statistics = default(TokenStatistics);
            head.ForwardBackward<double>(hidden, weight, bias, [0, 3], new double[4], new double[6], new double[3], 2.0, false, ref statistics);
        });
        Add(Lce, $"T Forward[T]({TensorOf}[T], {TensorOf}[T], {TensorOf}[T], {TensorOf}[{Int}])", "Tensor<T> hidden of rank 1", ae, "hidden", () => head.Forward(Tensor(hidden, 4), Tensor(weight, 3, 2), Tensor(bias, 3), Tensor(labels, 2)));
        Add(Lce, $"T ForwardBackward[T]({TensorOf}[T], {TensorOf}[T], {TensorOf}[T], {TensorOf}[{Int}], {TensorOf}[T], {TensorOf}[T], {TensorOf}[T])", "Tensor<T> a null weight gradient", ane, "weightGradient", () =>
            head.ForwardBackward(Tensor(hidden, 2, 2), Tensor(weight, 3, 2), Tensor(bias, 3), Tensor(labels, 2), Tensor(new double[4], 2, 2), null!, Tensor(new double[3], 3)));

        // BinaryCrossEntropyLoss.
        const string Bce = "BinaryCrossEntropyLoss";
        Add(Bce, "Void .ctor(Int32, Double, LabelSmoothing.Reduction, Double[])", "numLabels 0", aoore, "numLabels", () => _ = new BinaryCrossEntropyLoss(0));
        Add(Bce, "Void .ctor(Int32, Double, LabelSmoothing.Reduction, Double[])", "a negative positive weight", ae, "positiveWeights", () => _ = new BinaryCrossEntropyLoss(2, positiveWeights: [1.0, -1.0]));

        // LabelSmoothing.Calibration.
        const string Cal = "Calibration";
        Add(Cal, $"Double ExpectedCalibrationError[T]({ReadOnlySpan}[T], {ReadOnlySpan}[{Int}], Int32, Int32, Int32)", "span bins 0", aoore, "bins", () => LabelSmoothing.Calibration.ExpectedCalibrationError<double>(z, labels, K, 0));
        Add(Cal, $"Double MaximumCalibrationError[T]({ReadOnlySpan}[T], {ReadOnlySpan}[{Int}], Int32, Int32, Int32)", "span numClasses 0", aoore, "numClasses", () => LabelSmoothing.Calibration.MaximumCalibrationError<double>(z, labels, 0));
        Add(Cal, $"LabelSmoothing.ReliabilityBin[] ReliabilityBins[T]({ReadOnlySpan}[T], {ReadOnlySpan}[{Int}], Int32, Int32, Int32)", "span label 3 of 3 classes", aoore, "labels", () => LabelSmoothing.Calibration.ReliabilityBins<double>(z, [3, 0], K));
        Add(Cal, $"Double ExpectedCalibrationError[T]({ReadOnlyTensorSpan}[T], {ReadOnlyTensorSpan}[{Int}], Int32, Int32)", "tensor logits of rank 1", ae, "logits", () => LabelSmoothing.Calibration.ExpectedCalibrationError(In(z, 6), In(labels, 2)));
        Add(Cal, $"Double MaximumCalibrationError[T]({ReadOnlyTensorSpan}[T], {ReadOnlyTensorSpan}[{Int}], Int32, Int32)", "tensor labels (3) for logits (2, 3)", ae, "labels", () => LabelSmoothing.Calibration.MaximumCalibrationError(In(z, 2, 3), In(new[] { 0, 1, 2 }, 3)));
        Add(Cal, $"LabelSmoothing.ReliabilityBin[] ReliabilityBins[T]({ReadOnlyTensorSpan}[T], {ReadOnlyTensorSpan}[{Int}], Int32, Int32)", "tensor bins −1", aoore, "bins", () => LabelSmoothing.Calibration.ReliabilityBins(In(z, 2, 3), In(labels, 2), -1));
        Add(Cal, $"Double ExpectedCalibrationError[T]({TensorOf}[T], {TensorOf}[{Int}], Int32, Int32)", "Tensor<T> label −1", aoore, "labels", () => LabelSmoothing.Calibration.ExpectedCalibrationError(Tensor(z, 2, 3), Tensor(new[] { -1, 0 }, 2)));
        Add(Cal, $"Double MaximumCalibrationError[T]({TensorOf}[T], {TensorOf}[{Int}], Int32, Int32)", "Tensor<T> a NaN logit", ae, "logits", () => LabelSmoothing.Calibration.MaximumCalibrationError(Tensor([0.1, double.NaN, 0.3, 0.0, 1.0, 2.0], 2, 3), Tensor(labels, 2)));
        Add(Cal, $"LabelSmoothing.ReliabilityBin[] ReliabilityBins[T]({TensorOf}[T], {TensorOf}[{Int}], Int32, Int32)", "Tensor<T> bins 0", aoore, "bins", () => LabelSmoothing.Calibration.ReliabilityBins(Tensor(z, 2, 3), Tensor(labels, 2), 0));

        // TemperatureScaling.
        const string Ts = "TemperatureScaling";
        Add(Ts, $"Double Fit[T]({ReadOnlySpan}[T], {ReadOnlySpan}[{Int}], Int32, Int32)", "span numClasses 0", aoore, "numClasses", () => TemperatureScaling.Fit<double>(z, labels, 0));
        Add(Ts, $"Void Apply[T]({ReadOnlySpan}[T], Double, {Span}[T])", "span destination of length 5", ae, "destination", () => TemperatureScaling.Apply<double>(z, 1.5, new double[5]));
        Add(Ts, $"Double Fit[T]({ReadOnlyTensorSpan}[T], {ReadOnlyTensorSpan}[{Int}], Int32)", "tensor labels (2, 1) for logits (2, 3)", ae, "labels", () => TemperatureScaling.Fit(In(z, 2, 3), In(labels, 2, 1)));
        Add(Ts, $"Double Fit[T]({TensorOf}[T], {TensorOf}[{Int}], Int32)", "Tensor<T> label 3 of 3 classes", aoore, "labels", () => TemperatureScaling.Fit(Tensor(z, 2, 3), Tensor(new[] { 0, 3 }, 2)));
        Add(Ts, $"Void Apply[T]({ReadOnlyTensorSpan}[T], Double, {TensorSpan}[T])", "tensor temperature NaN", aoore, "temperature", () => TemperatureScaling.Apply(In(z, 2, 3), double.NaN, Out(new double[6], 2, 3)));
        Add(Ts, $"Void Apply[T]({TensorOf}[T], Double, {TensorOf}[T])", "Tensor<T> destination (3, 2) for logits (2, 3)", ae, "destination", () => TemperatureScaling.Apply(Tensor(z, 2, 3), 2.0, Tensor(new double[6], 3, 2)));

        // LogSoftmax.
        const string Ls = "LogSoftmax";
        Add(Ls, $"Void Forward[T]({ReadOnlySpan}[T], Int32, {Span}[T])", "span numClasses 0", aoore, "numClasses", () => LogSoftmax.Forward<double>(z, 0, new double[6]));
        Add(Ls, $"Void Softmax[T]({ReadOnlySpan}[T], Int32, {Span}[T])", "span logits of length 5 for 3 classes", ae, "logits", () => LogSoftmax.Softmax<double>(Logits(5), K, new double[5]));
        Add(Ls, $"Void Backward[T]({ReadOnlySpan}[T], {ReadOnlySpan}[T], Int32, {Span}[T])", "span upstream of length 3", ae, "upstream", () => LogSoftmax.Backward<double>(z, Logits(3), K, new double[6]));
        Add(Ls, $"Void Forward[T]({ReadOnlyTensorSpan}[T], {TensorSpan}[T])", "tensor destination (2, 4) for logits (2, 3)", ae, "destination", () => LogSoftmax.Forward(In(z, 2, 3), Out(new double[8], 2, 4)));
        Add(Ls, $"Void Softmax[T]({ReadOnlyTensorSpan}[T], {TensorSpan}[T])", "tensor logits of rank 1", ae, "logits", () => LogSoftmax.Softmax(In(z, 6), Out(new double[6], 6)));
        Add(Ls, $"Void Backward[T]({ReadOnlyTensorSpan}[T], {ReadOnlyTensorSpan}[T], {TensorSpan}[T])", "tensor destination one element past the upstream", ae, "destination", () =>
        {
            double[] buffer = Logits(7);
            LogSoftmax.Backward(In(z, 2, 3), new ReadOnlyTensorSpan<double>(buffer.AsSpan(0, 6), [2, 3]), new TensorSpan<double>(buffer.AsSpan(1, 6), [2, 3]));
        });

        // OneHot, LabelSmoother, SmoothingPrior, SmoothingTheory.
        Add("OneHot", $"Void Encode[T]({ReadOnlySpan}[{Int}], Int32, {Span}[T])", "destination of length 5", ae, "destination", () => OneHot.Encode<double>(labels, K, new double[5]));
        Add("OneHot", $"T[] Encode[T]({ReadOnlySpan}[{Int}], Int32)", "label −1", aoore, "labels", () => OneHot.Encode<double>([-1, 0], K));
        const string Sm = "LabelSmoother";
        Add(Sm, "Void .ctor(Double, LabelSmoothing.SmoothingPrior)", "alpha 1.5", aoore, "alpha", () => _ = new LabelSmoother(1.5));
        Add(Sm, $"Void Smooth[T]({ReadOnlySpan}[{Int}], Int32, {Span}[T])", "span label 3 of 3 classes", aoore, "labels", () => smoother.Smooth<double>(new[] { 3, 0 }, K, new double[6]));
        Add(Sm, $"Void Smooth[T]({ReadOnlySpan}[T], Int32, {Span}[T])", "span targets of length 5 for 3 classes", ae, "targets", () => smoother.Smooth<double>(Targets(5), K, new double[5]));
        Add(Sm, $"Void Smooth[T]({ReadOnlyTensorSpan}[{Int}], {TensorSpan}[T])", "tensor destination of rank 1", ae, "destination", () => smoother.Smooth(In(labels, 2), Out(new double[6], 6)));
        Add(Sm, $"Void Smooth[T]({ReadOnlyTensorSpan}[T], {TensorSpan}[T])", "tensor target −1", ae, "targets", () => smoother.Smooth(In([0.5, 0.5, 0.0, -1.0, 1.0, 1.0], 2, 3), Out(new double[6], 2, 3)));
        const string Sp = "SmoothingPrior";
        Add(Sp, $"LabelSmoothing.SmoothingPrior FromDistribution({ReadOnlySpan}[System.Double])", "a distribution summing to 1.1", ae, "prior", () => SmoothingPrior.FromDistribution([0.5, 0.6]));
        Add(Sp, "LabelSmoothing.SmoothingPrior FromMatrix(Double[], Int32)", "a null matrix", ane, "rows", () => SmoothingPrior.FromMatrix(null!, K));
        Add(Sp, "LabelSmoothing.SmoothingPrior FromMatrix(Double[], Int32)", "a row summing to 0.9", ae, "rows", () => SmoothingPrior.FromMatrix([0.5, 0.4, 0.5, 0.5], 2));
        const string Ols = "OnlineLabelSmoothing";
        Add(Ols, "Void .ctor(Int32, Int32)", "numClasses 0", aoore, "numClasses", () => _ = new OnlineLabelSmoothing(0));
        Add(Ols, $"Void Accumulate[T]({ReadOnlyTensorSpan}[T], {ReadOnlyTensorSpan}[{Int}])", "tensor labels (3) for logits (2, 3)", ae, "labels", () => new OnlineLabelSmoothing(K).Accumulate(In(z, 2, 3), In(new[] { 0, 1, 2 }, 3)));
        Add(Ols, $"Void Accumulate[T]({TensorOf}[T], {TensorOf}[{Int}])", "Tensor<T> label 3 of 3 classes", aoore, "labels", () => new OnlineLabelSmoothing(K).Accumulate(Tensor(z, 2, 3), Tensor(new[] { 0, 3 }, 2)));
        Add(Ols, $"Void Accumulate[T]({ReadOnlySpan}[T], {ReadOnlySpan}[{Int}])", "a NaN logit", ae, "logits", () => new OnlineLabelSmoothing(K).Accumulate<double>([0.0, double.NaN, 1.0], [0]));
        Add(Ols, $"Void Accumulate[T]({ReadOnlySpan}[T], {ReadOnlySpan}[{Int}])", "label 3 of 3 classes", aoore, "labels", () => new OnlineLabelSmoothing(K).Accumulate<double>([0.0, 0.5, 1.0], [3]));
        Add(Sp, "LabelSmoothing.SmoothingPrior Ordinal(Double)", "scale 0", aoore, "scale", () => SmoothingPrior.Ordinal(0.0));
        Add(Sp, $"Void GetDistribution(Int32, Int32, {Span}[System.Double])", "label 3 of 3 classes", aoore, "label", () => SmoothingPrior.Uniform.GetDistribution(K, 3, new double[3]));
        const string St = "SmoothingTheory";
        Add(St, "Double OptimalLogitGap(Int32, Double, LabelSmoothing.SmoothingPrior)", "numClasses 1", aoore, "numClasses", () => SmoothingTheory.OptimalLogitGap(1, 0.1));
        Add(St, "Double OptimalLogitGap(Int32, Double, LabelSmoothing.SmoothingPrior, Int32)", "label 3 of 3 classes", aoore, "label", () => SmoothingTheory.OptimalLogitGap(K, 0.1, null, 3));
        Add(St, "Double MinimumLoss(Int32, Double, LabelSmoothing.SmoothingPrior, Int32)", "alpha −0.1", aoore, "alpha", () => SmoothingTheory.MinimumLoss(K, -0.1));

        // LabelSmoothing.MathNet.
        const string CeM = "CrossEntropyLossMatrixExtensions";
        Matrix<double> logits = Dense(2, K, 0.5);
        Matrix<double> targets = Dense(2, K, 1.0 / K);
        Add(CeM, $"T Forward[T](LabelSmoothing.CrossEntropyLoss, {Matrix}[T], {Matrix}[T])", "3 × 3 targets for 2 × 3 logits", ae, "targets", () => loss.Forward(logits, Dense(3, K, 0.25)));
        Add(CeM, $"Void Forward[T](LabelSmoothing.CrossEntropyLoss, {Matrix}[T], {Matrix}[T], {Span}[T])", "losses of length 1 (targets)", ae, "losses", () => loss.Forward(logits, targets, new double[1]));
        Add(CeM, $"T ForwardBackward[T](LabelSmoothing.CrossEntropyLoss, {Matrix}[T], {Matrix}[T], {Matrix}[T])", "a NaN target", ae, "targets", () =>
        {
            var bad = Dense(2, K, 0.25);
            bad[1, 1] = double.NaN;
            loss.ForwardBackward(logits, bad, Dense(2, K, 0.0));
        });
        Add(CeM, $"Void Backward[T](LabelSmoothing.CrossEntropyLoss, {Matrix}[T], {Matrix}[T], {ReadOnlySpan}[T], {Matrix}[T])", "a null gradient (targets)", ane, "gradient", () => loss.Backward(logits, targets, one, (Matrix<double>)null!));
        Add(CeM, $"T ForwardBackward[T](LabelSmoothing.CrossEntropyLoss, {Matrix}[T], {Matrix}[T], {Matrix}[T], Double)", "divisor NaN (targets)", aoore, "divisor", () => loss.ForwardBackward(logits, targets, Dense(2, K, 0.0), double.NaN));
        const string CalM = "CalibrationMatrixExtensions";
        Add(CalM, $"Double ExpectedCalibrationError[T]({Matrix}[T], {ReadOnlySpan}[{Int}], Int32, Int32)", "a null matrix", ane, "logits", () => LabelSmoothing.Calibration.ExpectedCalibrationError((Matrix<double>)null!, labels));
        Add(CalM, $"Double MaximumCalibrationError[T]({Matrix}[T], {ReadOnlySpan}[{Int}], Int32, Int32)", "3 labels for 2 rows", ae, "labels", () => LabelSmoothing.Calibration.MaximumCalibrationError(logits, [0, 1, 2]));
        Add(CalM, $"LabelSmoothing.ReliabilityBin[] ReliabilityBins[T]({Matrix}[T], {ReadOnlySpan}[{Int}], Int32, Int32)", "bins 0", aoore, "bins", () => LabelSmoothing.Calibration.ReliabilityBins(logits, labels, 0));
        Add(CalM, $"Double Fit[T]({Matrix}[T], {ReadOnlySpan}[{Int}], Int32)", "label 5 of 3 classes", aoore, "labels", () => TemperatureScaling.Fit(logits, [5, 0]));
        Add(CalM, $"Void Apply[T]({Matrix}[T], Double, {Matrix}[T])", "temperature 0", aoore, "temperature", () => TemperatureScaling.Apply(logits, 0.0, Dense(2, K, 0.0)));
        const string SoftM = "SoftmaxMatrixExtensions";
        Add(SoftM, $"Void Forward[T]({Matrix}[T], {Matrix}[T])", "a null logits matrix", ane, "logits", () => LogSoftmax.Forward((Matrix<double>)null!, Dense(2, K, 0.0)));
        Add(SoftM, $"Void Softmax[T]({Matrix}[T], {Matrix}[T])", "a 3 × 2 destination for 2 × 3 logits", ae, "destination", () => LogSoftmax.Softmax(logits, Dense(3, 2, 0.0)));
        Add(SoftM, $"Void Backward[T]({Matrix}[T], {Matrix}[T], {Matrix}[T])", "a 2 × 4 upstream", ae, "upstream", () => LogSoftmax.Backward(logits, Dense(2, 4, 0.0), Dense(2, K, 0.0)));
        Add(SoftM, $"Void Smooth[T](LabelSmoothing.LabelSmoother, {ReadOnlySpan}[{Int}], {Matrix}[T])", "label 3 of 3 classes", aoore, "labels", () => smoother.Smooth(new[] { 3, 0 }, Dense(2, K, 0.0)));
        Add(SoftM, $"Void Smooth[T](LabelSmoothing.LabelSmoother, {Matrix}[T], {Matrix}[T])", "a NaN target", ae, "targets", () =>
        {
            var bad = Dense(2, K, 0.25);
            bad[0, 2] = double.NaN;
            smoother.Smooth(bad, Dense(2, K, 0.0));
        });
        Add(SoftM, $"{Matrix}[T] EncodeMatrix[T]({ReadOnlySpan}[{Int}], Int32)", "numClasses 0", aoore, "numClasses", () => OneHot.EncodeMatrix<double>(labels, 0));

        // Calibration metrics: the Brier score, the class-wise ECE and the adaptive ECE, on the core doors and the MathNet door.
        const string Brier = "Double BrierScore[T]";
        const string Classwise = "Double ClasswiseExpectedCalibrationError[T]";
        const string Adaptive = "Double AdaptiveExpectedCalibrationError[T]";
        double[] undefinedRow = [0.1, 0.2, 0.3, double.NegativeInfinity, double.NegativeInfinity, double.NegativeInfinity];
        Add(Cal, $"{Brier}({ReadOnlySpan}[T], {ReadOnlySpan}[{Int}], Int32, Int32)", "span Brier numClasses 0", aoore, "numClasses", () => LabelSmoothing.Calibration.BrierScore<double>(z, labels, 0));
        Add(Cal, $"{Brier}({ReadOnlySpan}[T], {ReadOnlySpan}[{Int}], Int32, Int32)", "span Brier label 3 of 3 classes", aoore, "labels", () => LabelSmoothing.Calibration.BrierScore<double>(z, [0, 3], K));
        Add(Cal, $"{Brier}({ReadOnlyTensorSpan}[T], {ReadOnlyTensorSpan}[{Int}], Int32)", "tensor Brier a +∞ logit", ae, "logits", () => LabelSmoothing.Calibration.BrierScore(In([0.1, double.PositiveInfinity, 0.3, 0.0, 1.0, 2.0], 2, 3), In(labels, 2)));
        Add(Cal, $"{Brier}({TensorOf}[T], {TensorOf}[{Int}], Int32)", "Tensor<T> Brier labels (3) for logits (2, 3)", ae, "labels", () => LabelSmoothing.Calibration.BrierScore(Tensor(z, 2, 3), Tensor(new[] { 0, 1, 2 }, 3)));
        Add(Cal, $"{Classwise}({ReadOnlySpan}[T], {ReadOnlySpan}[{Int}], Int32, Int32, Int32)", "span class-wise bins 0", aoore, "bins", () => LabelSmoothing.Calibration.ClasswiseExpectedCalibrationError<double>(z, labels, K, 0));
        Add(Cal, $"{Classwise}({ReadOnlySpan}[T], {ReadOnlySpan}[{Int}], Int32, Int32, Int32)", "span class-wise K·M beyond the largest array", aoore, "bins", () => LabelSmoothing.Calibration.ClasswiseExpectedCalibrationError<double>(z, labels, K, int.MaxValue));
        Add(Cal, $"{Classwise}({ReadOnlyTensorSpan}[T], {ReadOnlyTensorSpan}[{Int}], Int32, Int32)", "tensor class-wise a row of −∞ only", ae, "logits", () => LabelSmoothing.Calibration.ClasswiseExpectedCalibrationError(In(undefinedRow, 2, 3), In(labels, 2)));
        Add(Cal, $"{Classwise}({TensorOf}[T], {TensorOf}[{Int}], Int32, Int32)", "Tensor<T> class-wise label −1", aoore, "labels", () => LabelSmoothing.Calibration.ClasswiseExpectedCalibrationError(Tensor(z, 2, 3), Tensor(new[] { 0, -1 }, 2)));
        Add(Cal, $"{Adaptive}({ReadOnlySpan}[T], {ReadOnlySpan}[{Int}], Int32, Int32, Int32)", "span adaptive logits of length 5", ae, "logits", () => LabelSmoothing.Calibration.AdaptiveExpectedCalibrationError<double>(Logits(5), labels, K));
        Add(Cal, $"{Adaptive}({ReadOnlyTensorSpan}[T], {ReadOnlyTensorSpan}[{Int}], Int32, Int32)", "tensor adaptive bins −1", aoore, "bins", () => LabelSmoothing.Calibration.AdaptiveExpectedCalibrationError(In(z, 2, 3), In(labels, 2), -1));
        Add(Cal, $"{Adaptive}({TensorOf}[T], {TensorOf}[{Int}], Int32, Int32)", "Tensor<T> adaptive a null labels tensor", ane, "labels", () => LabelSmoothing.Calibration.AdaptiveExpectedCalibrationError(Tensor(z, 2, 3), (Tensor<int>)null!));
        Add(CalM, $"{Brier}({Matrix}[T], {ReadOnlySpan}[{Int}], Int32)", "Brier a null matrix", ane, "logits", () => LabelSmoothing.Calibration.BrierScore((Matrix<double>)null!, labels));
        Add(CalM, $"{Classwise}({Matrix}[T], {ReadOnlySpan}[{Int}], Int32, Int32)", "class-wise bins 0", aoore, "bins", () => LabelSmoothing.Calibration.ClasswiseExpectedCalibrationError(logits, labels, 0));
        Add(CalM, $"{Adaptive}({Matrix}[T], {ReadOnlySpan}[{Int}], Int32, Int32)", "adaptive 3 labels for 2 rows", ae, "labels", () => LabelSmoothing.Calibration.AdaptiveExpectedCalibrationError(logits, [0, 1, 2]));

        // The smoothing loss family (PolyLoss, FocalLoss, BinaryFocalLoss, LabelRelaxationLoss, ConfidencePenaltyLoss, DistillationLoss).
        ConstructorBadInputs.AddTo(cases);
        cases.AddRange(LossDoorCases());
        return cases;
    }
}
