namespace LabelSmoothing.Tests.Losses;

/// <summary>The contract of <see cref="DistillationLoss"/> in single precision: <see cref="PairLossContract{T, TLosses}"/> over student and teacher logits.</summary>
public sealed class DistillationLossSingleTests : PairLossContract<float, DistillationLosses>;

/// <summary>The contract of <see cref="DistillationLoss"/> in double precision, with finite differences.</summary>
public sealed class DistillationLossDoubleTests : PairLossDoubleContract<DistillationLosses>;

/// <summary>The contract of <see cref="DistillationLoss"/> in <see cref="System.Half"/>, against double.</summary>
public sealed class DistillationLossHalfTests : PairLossHalfContract<DistillationLosses>;
