using System;
using System.Globalization;
using System.Linq;
using System.Numerics;
using Xunit;

namespace LabelSmoothing.Tests.Losses;

/// <summary>
/// Parity with PyTorch autograd on the formulas of the language-model options (<c>tools/generate_golden_lm.py</c>): every case through the
/// span doors in float and double — the reduced loss and gradient (with the case's sample weights and divisor when it has them), the per-sample
/// losses, the backward pass with an upstream gradient, the total weight. Normwise relative errors as <see cref="TorchParityTests{T}"/>.
/// </summary>
/// <typeparam name="T">The element type under test.</typeparam>
public abstract class LmParityTests<T>(double tolerance)
    where T : unmanaged, IFloatingPointIeee754<T>
{
    [Theory]
    [MemberData(nameof(LmGolden.CaseNames), MemberType = typeof(LmGolden))]
    public void Every_output_matches_autograd(string name)
    {
        var golden = LmGolden.Case(name);
        var checks = new ParityChecks<T>(tolerance);
        var run = new LmRun<T>(golden);

        var (loss, gradient) = run.ForwardBackward();
        checks.Scalar("ForwardBackward loss", loss, golden.Loss);
        checks.Values("ForwardBackward gradient", gradient, golden.Gradient);
        checks.Values("Forward(losses)", run.ForwardLosses(), golden.Losses);
        if (golden.Backward is not null)
        {
            checks.Values("Backward", run.Backward(), golden.Backward);
        }

        if (golden.SampleWeights is not null)
        {
            double expected = 0.0;
            for (int i = 0; i < golden.N; i++)
            {
                int label = golden.Labels![i];
                expected += label == golden.IgnoreIndex ? 0.0 : golden.SampleWeights[i] * (golden.Weights?[label] ?? 1.0);
            }

            checks.Number("TotalWeight(labels, sampleWeights)", run.TotalWeight(), expected);
        }

        checks.ShouldAllPass(string.Create(CultureInfo.InvariantCulture, $"{golden.Name} ({golden.Note}) in {typeof(T).Name}"));
    }

    [Theory]
    [MemberData(nameof(LmGolden.IndexCaseNames), MemberType = typeof(LmGolden))]
    public void TokenStatistics_MatchAutograd_AndLeaveTheResultsAsTheyWere(string name)
    {
        var golden = LmGolden.Case(name);
        var checks = new ParityChecks<T>(tolerance);
        var run = new LmRun<T>(golden);
        var (loss, gradient) = run.ForwardBackward();
        var (statisticsLoss, statisticsGradient, statistics) = run.ForwardBackwardWithStatistics();
        checks.Same("loss unchanged by the statistics", statisticsLoss.Equals(loss), $"{statisticsLoss} vs {loss}");
        checks.Same("gradient unchanged by the statistics", statisticsGradient.AsSpan().SequenceEqual(gradient), "the gradients differ");

        double tokens = 0.0, nll = 0.0, correct = 0.0, lse = 0.0, lseScale = 0.0;
        for (int i = 0; i < golden.N; i++)
        {
            if (golden.Labels![i] == golden.IgnoreIndex)
            {
                continue;
            }

            double weight = golden.SampleWeights?[i] ?? 1.0;
            tokens += weight;
            nll += weight * golden.Nll![i];
            correct += weight * golden.Correct![i];
            lse += weight * golden.Lse![i];
            lseScale += weight * Math.Abs(golden.Lse[i]);
        }

        checks.Number("Tokens", statistics.Tokens, tokens);
        checks.Number("Correct", statistics.Correct, correct, Math.Max(1.0, tokens));
        // −lp_y = lse − z_y carries the absolute rounding of lse: measured against Σ s·|lse|.
        checks.Number("NegativeLogLikelihood", statistics.NegativeLogLikelihood, nll, Math.Max(Math.Abs(nll), lseScale));
        checks.Number("LogSumExp", statistics.LogSumExp, lse, lseScale);
        checks.ShouldAllPass(string.Create(CultureInfo.InvariantCulture, $"{golden.Name} ({golden.Note}) in {typeof(T).Name}"));
    }
}

public sealed class LmParityTestsDouble() : LmParityTests<double>(1e-12);

public sealed class LmParityTestsSingle() : LmParityTests<float>(1e-5);

/// <summary>One LM golden case's inputs in <typeparamref name="T"/> and the span calls on them.</summary>
internal sealed class LmRun<T>(LmGoldenCase golden)
    where T : unmanaged, IFloatingPointIeee754<T>
{
    private readonly CrossEntropyLoss _loss = golden.CreateLoss();
    private readonly T[] _logits = Convert(golden.Logits);
    private readonly T[]? _targets = golden.Targets is null ? null : Convert(golden.Targets);
    private readonly int[] _labels = golden.Labels ?? [];
    private readonly T[]? _sampleWeights = golden.SampleWeights is null ? null : Convert(golden.SampleWeights);
    private readonly T[] _upstream = Convert(golden.Upstream);

    public CrossEntropyLoss Loss => _loss;

    public T[] Logits => _logits;

    public int[] Labels => _labels;

    public T[]? SampleWeights => _sampleWeights;

    public (T Loss, T[] Gradient) ForwardBackward()
    {
        var gradient = new T[_logits.Length];
        T loss = (_targets, _sampleWeights, golden.Divisor) switch
        {
            (null, null, null) => _loss.ForwardBackward<T>(_logits, _labels, gradient),
            (null, null, double divisor) => _loss.ForwardBackward<T>(_logits, _labels, gradient, divisor),
            (null, T[] weights, null) => _loss.ForwardBackward<T>(_logits, _labels, weights, gradient),
            (null, T[] weights, double divisor) => _loss.ForwardBackward<T>(_logits, _labels, weights, gradient, divisor),
            (T[] targets, _, null) => _loss.ForwardBackward<T>(_logits, targets, gradient),
            (T[] targets, _, double divisor) => _loss.ForwardBackward<T>(_logits, targets, gradient, divisor),
        };
        return (loss, gradient);
    }

    public T[] ForwardLosses()
    {
        var losses = new T[golden.N];
        if (_targets is null)
        {
            _loss.Forward<T>(_logits, _labels, losses);
        }
        else
        {
            _loss.Forward<T>(_logits, _targets, losses);
        }

        return losses;
    }

    public T[] Backward()
    {
        var gradient = new T[_logits.Length];
        if (_targets is null)
        {
            _loss.Backward<T>(_logits, _labels, _upstream, gradient);
        }
        else
        {
            _loss.Backward<T>(_logits, _targets, _upstream, gradient);
        }

        return gradient;
    }

    public double TotalWeight() => _loss.TotalWeight<T>(_labels, _sampleWeights);

    /// <summary>The same call as <see cref="ForwardBackward"/> through the overload that also gathers the statistics.</summary>
    public (T Loss, T[] Gradient, TokenStatistics Statistics) ForwardBackwardWithStatistics()
    {
        var gradient = new T[_logits.Length];
        var statistics = default(TokenStatistics);
        T loss = (_sampleWeights, golden.Divisor) switch
        {
            (null, null) => _loss.ForwardBackward<T>(_logits, _labels, gradient, ref statistics),
            (null, double divisor) => _loss.ForwardBackward<T>(_logits, _labels, gradient, divisor, ref statistics),
            (T[] weights, null) => _loss.ForwardBackward<T>(
                _logits, _labels, weights, gradient, _loss.Reduction == Reduction.Mean ? _loss.TotalWeight<T>(_labels, weights) : 1.0, ref statistics),
            (T[] weights, double divisor) => _loss.ForwardBackward<T>(_logits, _labels, weights, gradient, divisor, ref statistics),
        };
        return (loss, gradient, statistics);
    }

    public static T[] Convert(double[] values) => values.Select(T.CreateTruncating).ToArray();
}
